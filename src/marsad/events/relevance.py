"""Is this article about armed conflict at all? Sport, economy and culture yield no events.

Football reports "attack" (هجوم), "shoot a rocket" (قذيفة صاروخية) and "clash" (اشتباك);
markets "collapse" and prices "explode". A trigger in such an article is a metaphor.
The test counts words typical of each domain (token stems, so clitics do not matter):
an article is off-topic when its sport/economy/culture/technology vocabulary clearly
outweighs its conflict vocabulary. Conflict vocabulary is the armed actors and the
violence itself; a single conflict word in a long match report does not tip it.
"""
from __future__ import annotations

from functools import lru_cache

from ..article import Article
from ..text import norm
from ..text.wordcache import per_word

_DOMAINS = {
    "conflict": """مسلح مسلحين مسلحون المسلحه الجيش جيش قوات القوات عسكري عسكريه العسكريه ميليشيا ميليشيات مليشيا
        مليشيات تنظيم داعش ارهابي ارهابيه ارهابيين الارهاب قتلي قتيل مقتل مصرع جرحي غاره غارات قصف قذائف
        اشتباكات معارك انتحاري تفجير انفجار عبوه ناسفه مفخخه الحوثي الحوثيين الانقلابيين المتمردين متمردين
        فصائل المعارضه اعتقال اعتقل المعتقلين شهداء استشهاد الاحتلال الامن الامنيه الشرطه مدنيين نازحين
        النازحين لاجئين اللاجئين التحالف الجبهه المواجهات الاسلحه سلاح صواريخ صاروخ مدفعيه هاون دبابات
        مقاتلين المقاتلين اغتيال اختطاف خطف رهائن حرب الحرب الهدنه وقف اطلاق النار المتظاهرين""",
    "sport": """مباراه مباريات المباراه الدوري دوري المنتخب منتخب لاعب لاعبين اللاعب اللاعبين هدف اهداف الهدف
        فريق الفريق نادي النادي بطوله البطوله كاس الكاس القدم مدرب المدرب الملعب ملعب الشوط شوط الموسم
        التعادل فوز الفوز خساره هزيمه المرمي حارس ركله ضربه جزاء التصفيات النهائي ذهاب اياب الاتحاد
        الرياضي الرياضيه رياضي الاولمبيه اولمبي ميداليه سباق بطل ابطال الهلال النصر الاهلي الاتحاد الشباب
        تسديده مهاجم الجماهير مشجعين انتقالات عقد احتراف الفيفا يويفا""",
    "economy": """اقتصاد الاقتصاد اقتصادي الاقتصاديه اسعار الاسعار سعر النفط برميل الاسهم اسهم البورصه السوق اسواق
        الاستثمار استثمار استثمارات مستثمرين الشركات شركه الشركه ارباح الارباح مليار مليون ريال دولار
        التضخم البنك بنك المصرف المصارف الميزانيه الصادرات الواردات التجاره تجاري النمو الناتج الضرائب
        ضريبه التداول المؤشر العقارات القطاع الخاص الموازنه الفائده العملات العمله صندوق الايرادات""",
    "culture": """فيلم الفيلم افلام مهرجان المهرجان روايه الروايه كتاب الكتاب معرض المعرض فنان الفنان فنانه
        الفنانه مسرح المسرح مسرحيه غناء اغنيه الاغنيه موسيقي الموسيقي شاعر الشعر قصيده ثقافه الثقافه
        الثقافي ثقافيه جائزه الجائزه السينما سينما الدراما مسلسل المسلسل الممثل ممثله الادب الادبي
        تراث التراث متحف المتحف لوحه الفن الفنون""",
    "technology": """تقنيه التقنيه تكنولوجيا التكنولوجيا هاتف الهاتف هواتف الذكي الذكيه تطبيق التطبيق تطبيقات
        الانترنت انترنت الكمبيوتر حاسوب البرمجيات برنامج شبكه الشبكات ابل سامسونج جوجل غوغل مايكروسوفت
        فيسبوك تويتر الرقمي الرقميه الالكترونيه بيانات البيانات نظام التشغيل اندرويد ايفون الشاشه""",
}


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, frozenset[str]]:
    return {k: frozenset(norm(w) for w in v.split()) for k, v in _DOMAINS.items()}


@per_word
def _domains_of(tok) -> tuple[str, ...]:
    """The domains whose lexicon holds one of the word's forms."""
    forms = set(tok.forms or (tok.norm,))
    return tuple(k for k, words in _lexicon().items() if not forms.isdisjoint(words))


def domain_counts(article: Article) -> dict[str, int]:
    counts = {k: 0 for k in _lexicon()}
    for tok in article.layer("tokens"):
        if tok.kind == "word":
            for k in _domains_of(tok):
                counts[k] += 1
    return counts


def is_conflict_article(article: Article) -> bool:
    counts = domain_counts(article)
    conflict = counts.pop("conflict")
    other = max(counts.values()) if counts else 0
    if conflict >= 12:
        return True
    return not (other >= 3 and other > 1.5 * conflict)
