"""`marsad spark run` for spark-submit, which runs a Python file (the `marsad` command is not one):

    spark-submit [Spark options] scripts/marsad_spark.py INPUT... --out DIR [marsad spark run options]
"""
import sys

from marsad.cli import main

if __name__ == "__main__":
    main(["spark", "run", *sys.argv[1:]])
