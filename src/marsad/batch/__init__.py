"""Batch processing: the pure per-article step (`extract.process`) that local workers run
today and a Spark job can run tomorrow, writing the same rows."""
