"""The event-mention decision: generous detection with the filters as features, the features of
hand-built articles, the two linear models' choice, and a tiny model trained end to end."""
from marsad import learn
from marsad.article import Article, Place, Span
from marsad.events import mention as mn
from marsad.events.detect import find_triggers, sentence_views
from marsad.events.learned import EVENT_MENTION, compatible
from marsad.events.stage import candidates, extract_events
from marsad.learn import folds
from marsad.pipeline import Pipeline

TEXT = Pipeline.default(["marsad.text.boilerplate:mark_boilerplate", "marsad.text.sentences:split_sentences",
                         "marsad.text.tokens:tokenize"])


def build(text, places=(), date="2018-03-12"):
    a = Article(text=text, id="t", date=date, date_source="input")
    TEXT(a)
    layer = []
    for k, name in enumerate(places):
        start = text.find(name)
        while start >= 0:
            layer.append(Place(Span(start, start + len(name)), name, country="SY", lat=35.0 + k, lon=36.0,
                               geo_precision=1, feature="city"))
            start = text.find(name, start + 1)
    a.layers["places"] = layer
    a.layers["actors"] = []
    return a


def test_events_generous_detection_keeps_filtered_triggers_with_their_reasons():
    a = build("لم تقصف الطائرات الحربية بلدة كفرنبل أمس. وقصفت الطائرات الحربية بلدة سراقب أمس.",
              ["كفرنبل", "سراقب"])
    views = sentence_views(a)
    strict = find_triggers(a, views)
    loose = find_triggers(a, views, generous=True)
    assert [t.view.index for t in strict] == [1]
    negated = [t for t in loose if t.view.index == 0]
    assert negated and "negated" in negated[0].reasons
    assert all(t.reasons == () for t in loose if t.view.index == 1)


def test_events_mention_features_describe_time_position_and_filters():
    a = build("قصفت الطائرات الحربية أمس بلدة كفرنبل في ريف إدلب.\n"
              "وكانت الطائرات قد قصفت بلدة سراقب في عام 2012 وقتل فيها عشرة مدنيين.",
              ["كفرنبل", "سراقب"])
    drafts = candidates(a, generous=True)
    lead = next(d for d in drafts if d.location is not None and d.location.name == "كفرنبل")
    old = next(d for d in drafts if d.location is not None and d.location.name == "سراقب")
    assert lead.feats["reason=none"] == 1.0 and lead.feats["sent=0"] == 1.0 and lead.feats["gap=0"] == 1.0
    assert lead.feats["sub=Air/drone strike"] == 1.0 and lead.feats["nth_sub=0"] == 1.0
    assert "reason=old_year" in old.feats or "too_old" in old.feats
    assert old.feats.get("nth_sub=1") == 1.0 and old.feats["sent=1"] == 1.0
    # the rules alone drop the old strike
    assert [d.location.name for d in candidates(a) if d.location is not None] == ["كفرنبل"]


def test_events_mention_offers_the_other_places_of_the_sentence():
    a = build("قصفت الطائرات الحربية أمس بلدة كفرنبل قرب مدينة معرة النعمان.", ["كفرنبل", "معرة النعمان"])
    drafts = [d for d in candidates(a, generous=True) if d.location is not None]
    assert len({d.group for d in drafts}) == 1
    assert sorted((d.location.name, d.alt_place) for d in drafts) == [("كفرنبل", False), ("معرة النعمان", True)]
    alt = next(d for d in drafts if d.alt_place)
    assert alt.feats["alt_place"] == 1.0 and alt.feats["pl_after"] == 1.0


def test_events_mention_model_preferring_a_listed_place_codes_each_place_of_the_list():
    a = build("شنت مقاتلات التحالف غارات قرب مدينة زبيد على مواقع في مديريتي الجراحي والتحيتا.",
              ["الجراحي", "التحيتا", "زبيد"])
    drafts = [d for d in candidates(a, generous=True) if d.location is not None]
    rule = [d.location.name for d in drafts if not d.alt_place]
    listed = {d.location.name: d.listed for d in drafts if d.alt_place}
    assert rule == ["زبيد"] and sorted(listed) == ["التحيتا", "الجراحي"]
    assert listed["الجراحي"] == ("الجراحي", "التحيتا") == listed["التحيتا"]
    to_alt = mn.MentionModel(mn.Linear({"bias": 2.0}, 0.5), mn.Linear({"alt_place": 3.0}, 0.5))
    assert sorted(d.location.name for _, d in to_alt.choose(drafts)) == ["التحيتا", "الجراحي"]


def test_events_mention_model_keeps_the_event_at_the_place_it_prefers():
    a = build("قصفت الطائرات الحربية أمس بلدة كفرنبل قرب مدينة معرة النعمان.", ["كفرنبل", "معرة النعمان"])
    drafts = [d for d in candidates(a, generous=True) if d.location is not None]
    event = mn.Linear({"bias": 2.0}, 0.5)
    to_alt = mn.MentionModel(event, mn.Linear({"alt_place": 3.0}, 0.5))
    to_rule = mn.MentionModel(event, mn.Linear({"alt_place": -3.0}, 0.5))
    assert [d.location.name for _, d in to_alt.choose(drafts)] == ["معرة النعمان"]
    assert [d.location.name for _, d in to_rule.choose(drafts)] == ["كفرنبل"]
    never = mn.MentionModel(mn.Linear({"bias": -2.0}, 0.5), to_alt.place)
    assert never.choose(drafts) == []
    with learn.using({mn.MODEL: to_alt}):
        events = extract_events(a)["events"]
    assert [e.location.name for e in events] == ["معرة النعمان"]
    assert 0.5 <= events[0].confidence <= 1.0


def test_events_mention_labels_pair_drafts_as_the_scorer_pairs_events():
    a = build("قصفت الطائرات الحربية أمس بلدة كفرنبل.", ["كفرنبل"])
    d = next(d for d in candidates(a, generous=True) if d.location is not None)
    gold = {"event_type": "Explosions/Remote violence", "date": "2018-03-11",
            "location": {"name": "كفرنبل", "country": "SY", "lat": None, "lon": None}}
    assert compatible(gold, d)
    assert not compatible(dict(gold, date="2018-03-01"), d)
    assert not compatible(dict(gold, event_type="Battles"), d)
    assert not compatible(dict(gold, location={"name": "حلب", "lat": 36.2, "lon": 37.1}), d)   # ~130 km


def test_events_mention_tiny_model_trains_end_to_end(dev_gold):
    raw, compiled = folds.train([EVENT_MENTION], dev_gold[:8])
    model = raw[mn.MODEL]
    assert model["event"]["weights"] and 0.0 < model["event"]["threshold"] < 1.0
    assert model["event"]["positives"] > 0
    m = compiled[mn.MODEL]
    with learn.using(compiled):
        out = folds.predict(dev_gold[:3])
    events = [e for r in out for e in r["events"]]
    assert events and all(0.0 <= e["confidence"] <= 1.0 for e in events)
    # the rules' own drafts of a clear report are more probable than a negated one's
    a = build("قتل خمسة مدنيين أمس في غارة جوية شنتها الطائرات الحربية على بلدة كفرنبل.", ["كفرنبل"])
    clear = next(d for d in candidates(a, generous=True) if d.location is not None)
    assert m.event.prob(clear.feats) > 0.0


REAL = {
    "lead": "قتل خمسة مدنيين وأصيب عشرة آخرون أمس الأحد في غارة جوية شنتها طائرات حربية على مدينة معرة النعمان "
            "في ريف إدلب، بحسب المرصد السوري لحقوق الإنسان.",
    "background": "وكانت طائرات حربية قد قصفت مدينة معرة النعمان في ريف إدلب في صيف عام 2012، ما أدى إلى مقتل "
                  "عشرات المدنيين.",
    "trial": "بدأت محكمة في الكويت أمس محاكمة 29 متهما في قضية تفجير مسجد الإمام الصادق الذي وقع في يونيو الماضي.",
    "threat": "هدد تنظيم داعش في تسجيل مصور بشن هجمات على مدينة بنغازي خلال الأيام المقبلة.",
    "lead_and_detail": "قتل خمسة مدنيين أمس الأحد في غارة جوية على مدينة معرة النعمان في ريف إدلب. وقال المرصد "
                       "السوري إن الغارة استهدفت سوقا شعبيا في المدينة وأسفرت عن مقتل خمسة مدنيين وإصابة عشرة آخرين.",
}


def _events(text):
    a = Pipeline.default()(Article(text=text, id="t", date="2018-03-12", date_source="input"))
    return a.layer("events")


def test_events_shipped_models_code_the_news_not_its_background():
    assert learn.model(mn.MODEL) is not None and learn.model("incident_merge") is not None
    lead = _events(REAL["lead"])
    assert [(e.sub_event_type, e.location.name, e.fatalities) for e in lead] == [
        ("Air/drone strike", "معرة النعمان", 5)]
    for kind in ("background", "trial", "threat"):
        assert _events(REAL[kind]) == [], kind
    # the lead and the monitor's detail are one incident, which keeps both passages as its mentions
    text = REAL["lead_and_detail"]
    (event,) = _events(text)
    passages = [text[m.start:m.end] for m in event.mentions]
    assert event.mentions[0] == event.evidence and len(passages) == 2
    lead, detail = sorted(passages, key=text.index)
    assert "قتل خمسة مدنيين أمس الأحد" in lead and "سوقا شعبيا" in detail and lead not in detail
