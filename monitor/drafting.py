"""Render one Markdown draft per incident, shaped like the firm's posts, every fact cited.

Sentences are taken from the sources (extractive), never written by the program; the wording
around them lives in `templates/` for the firm to edit. An attorney-edited file is never
overwritten: new material goes to a side file and the draft is flagged.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlite_utils
from jinja2 import Environment, TemplateError, TemplateNotFound, TemplateSyntaxError

from monitor import privacy
from monitor.config import Config, ConfigError
from monitor.draft_files import (
    EDIT_FLAG,
    file_hash,
    kept_flag,
    landed_unrecorded,
    read_if_exists,
    record_version,
    same_content,
    sync_file,
    unclaimed_path,
    update_file,
    write_atomic,
)
from monitor.relevance import incident_types
from monitor.storage import articles as article_store
from monitor.storage import drafts as draft_store
from monitor.storage import incidents as incident_store
from monitor.templating import markdown_env, strip_html
from monitor.textclean import defang_templates
from monitor.urls import is_http_url

MAX_WORDS_PER_SENTENCE = 50
MAX_QUOTE_WORDS_PER_SOURCE = 50
MAX_WORDS_PER_SOURCE = 150
MAX_SENTENCES_PER_SOURCE = 4
MAX_FACT_SENTENCES = 8
MIN_FACT_SENTENCES = 2  # below this, plain sentences of the source fill The Information
MIN_WEIGHT = 0.6  # a sentence with a figure or an agency; facts-stage sentences weigh >= 1
FACT_KINDS = ("counts", "data_categories", "agencies", "places", "dates", "organizations")
FACT_WEIGHTS = {"counts": 3, "data_categories": 2, "agencies": 1, "places": 1, "dates": 1,
                "organizations": 1}
DRAFT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "fr": "French", "pt": "Portuguese",
                  "ht": "Haitian Creole", "zh": "Chinese", "vi": "Vietnamese"}
INCIDENT_TYPES = incident_types()  # the taxonomy is the one list
SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"'”’»)]*\s+(?=[\"'“‘«(¿¡]?[A-ZÁÉÍÓÚÑ0-9])")
ABBREVIATION = re.compile(r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|"
                          r"St|Jr|Sr|No|Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|Miss|Calif|Fla|"
                          r"Ariz|Tex|Ill|Sra|Sr|Dra)\.)$")
DATELINE = re.compile(r"^[A-ZÁÉÍÓÚÑ]{3,}(?:[ .'-]+[A-ZÁÉÍÓÚÑ]{2,})*(?:,\s*[A-Z][A-Za-z.]{1,12})?"
                      r"\s+[—–-]{1,2}\s+")
QUOTED = re.compile(r"[“\"«]([^”\"»]{12,})[”\"»]")
WHEN = re.compile(r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|"
                  r"yesterday|this week|last week|on \w+day|january|february|march|april|may|"
                  r"june|july|august|september|october|november|december|\d{4}|lunes|martes|"
                  r"miércoles|jueves|viernes|sábado|domingo|ayer|hoy)\b", re.I)
AGENCY_WORDS = re.compile(r"\b(?:ICE|Ice|CBP|USCIS|DHS|EOIR|HSI|ERO|Border Patrol|Immigration "
                          r"and Customs Enforcement|Homeland Security|immigration court|"
                          r"Department of Justice|judge|court)\b")
COUNT_WORDS = re.compile(r"\b\d[\d,.]*\b")
PEOPLE_NOUNS = {"people", "persons", "immigrants", "migrants", "asylum seekers", "refugees",
                "detainees", "noncitizens", "individuals", "personas", "inmigrantes",
                "migrantes", "solicitantes de asilo", "refugiados", "detenidos", "aliens",
                "families", "children", "adults", "men", "women", "workers", "trabajadores"}


@dataclass
class DraftReport:
    written: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (kept file, written beside it)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DraftSettings:
    """The `[drafts]` table of monitor.toml: how much of each source a draft may reuse."""

    max_words_per_source: int = MAX_WORDS_PER_SOURCE
    max_quote_words: int = MAX_QUOTE_WORDS_PER_SOURCE
    max_sentences_per_source: int = MAX_SENTENCES_PER_SOURCE
    max_fact_sentences: int = MAX_FACT_SENTENCES
    public_names: tuple[str, ...] = ()
    spanish_templates: bool = False

    @classmethod
    def from_config(cls, config: Config) -> DraftSettings:
        table = config.raw.get("drafts") or {}
        privacy = config.raw.get("privacy") or {}
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in table.items() if k in known}
        values["public_names"] = tuple(privacy.get("public_names", ()))
        return cls(**values)


def slugify(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "incident"


LINK_SYNTAX = re.compile(r"\]\s*([(\[:])")
TAG_LIKE = re.compile(r"<(?=[A-Za-z/!?])")


def clean_text(text: str | None) -> str:
    """Scraped text as one line of inert plain text.

    Tags are removed and whitespace collapsed. Text that would still read as markup where
    the value is used unescaped (front matter shown by a theme that runs titles through
    Markdown, e.g. Hugo's `markdownify`) is defanged: `](` and `<tag` lose their meaning, and
    so do template openers (`{{`, `{%`: Liquid, Hugo shortcodes).
    """
    text = " ".join(strip_html(text or "").split())
    return defang_templates(TAG_LIKE.sub("‹", LINK_SYNTAX.sub(r"] \1", text)))


def _words(sentence: str, limit: int) -> str:
    words = sentence.split()
    return sentence if len(words) <= limit else " ".join(words[:limit]) + " …"


def split_sentences(text: str) -> list[str]:
    """Sentences of a text; abbreviations such as "U.S." or "Sen." do not end a sentence."""
    sentences: list[str] = []
    for piece in SENTENCE_SPLIT.split(clean_text(text)):
        piece = piece.strip()
        if not piece:
            continue
        if sentences and ABBREVIATION.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return [DATELINE.sub("", sentence, count=1) for sentence in sentences]


def _overlaps(key: str, keys: set[str]) -> bool:
    """The same sentence cut differently (a dateline, an abbreviation) counts as the same."""
    return any(key in other or other in key for other in keys if min(len(key), len(other)) > 20)


def _key(sentence: str) -> str:
    return re.sub(r"\W+", " ", sentence.lower()).strip()


def _language(article: dict[str, Any]) -> str:
    return (article.get("language") or DRAFT_LANGUAGE).split("-")[0].lower()


def _quoted_words(sentence: str) -> int:
    return sum(len(m.group(1).split()) for m in QUOTED.finditer(sentence))


class _Budget:
    """Per-source limits on how much text a draft reuses verbatim (fair use, and brevity)."""

    def __init__(self, settings: DraftSettings) -> None:
        self.settings = settings
        self.words: dict[int, int] = {}
        self.quotes: dict[int, int] = {}
        self.sentences: dict[int, int] = {}

    def take(self, number: int, text: str) -> bool:
        words, quoted = len(text.split()), _quoted_words(text)
        s = self.settings
        if (self.words.get(number, 0) + words > s.max_words_per_source
                or self.quotes.get(number, 0) + quoted > s.max_quote_words
                or self.sentences.get(number, 0) >= s.max_sentences_per_source):
            return False
        self.words[number] = self.words.get(number, 0) + words
        self.quotes[number] = self.quotes.get(number, 0) + quoted
        self.sentences[number] = self.sentences.get(number, 0) + 1
        return True


def number_sources(incident: dict[str, Any], articles: list[dict[str, Any]],
                   settings: DraftSettings) -> tuple[list[dict[str, Any]], list[dict]]:
    """Sources in footnote order (the incident's primary article first, then by date)."""
    primary_id = incident.get("primary_article_id")
    ordered = sorted(articles, key=lambda a: (a["id"] != primary_id, a.get("published") or "",
                                              a["id"]))
    sources, decisions = [], []
    for number, article in enumerate(ordered, start=1):
        guarded = privacy.guard_title(clean_text(article.get("title")) or article["url"],
                                      source=number, public_names=settings.public_names)
        decisions += [d.as_dict() for d in guarded.decisions]
        language = _language(article)
        sources.append({
            "number": number, "article_id": article["id"], "title": guarded.text,
            # A name that is all markup (`<script>…`) cleans to nothing: say the source id.
            "outlet": clean_text(article.get("outlet")) or clean_text(article.get("source_id"))
            or "unknown outlet",
            "url": article["url"] if is_http_url(article.get("url") or "") else "",
            "published": article.get("published"), "retrieved": article.get("first_seen"),
            "language": language,
            "language_name": LANGUAGE_NAMES.get(language, language),
            "article": article,
        })
    return sources, decisions


def _fact_sentences(source: dict[str, Any]) -> list[tuple[str, float, list[str], int]]:
    """(sentence, weight, fact kinds, position) for each distinct sentence carrying a fact.

    Sentences the facts stage tagged weigh most; other sentences of the text weigh by the
    figure, agency or time they name (possibly 0), so a thin facts record still yields a
    useful draft. Position is the sentence's place in the article.
    """
    facts = source["article"].get("facts") or {}
    sentences = split_sentences(source["article"].get("text") or "")
    positions = {_key(sentence): n for n, sentence in enumerate(sentences)}
    found: dict[str, tuple[str, float, list[str], int]] = {}
    for kind in FACT_KINDS:
        for fact in facts.get(kind) or []:
            if not isinstance(fact, dict):
                continue
            sentence = DATELINE.sub("", clean_text(fact.get("sentence")), count=1)
            if not sentence:
                continue
            key = _key(sentence)
            text, weight, kinds, _ = found.get(key, (sentence, 0.0, [], 0))
            found[key] = (text, weight + FACT_WEIGHTS.get(kind, 1), [*kinds, kind],
                          positions.get(key, len(sentences)))
    for position, sentence in enumerate(sentences):
        key = _key(sentence)
        words = len(sentence.split())
        too_short_or_long = words < 6 or words > 2 * MAX_WORDS_PER_SENTENCE
        if key in found or _overlaps(key, set(found)) or too_short_or_long:
            continue
        figures = privacy.PHONE.sub("", sentence)  # a phone number is not a figure
        weight = (0.9 * bool(COUNT_WORDS.search(figures)) + 0.6 * bool(
            AGENCY_WORDS.search(sentence)) + 0.3 * bool(WHEN.search(sentence)))
        found[key] = (sentence, weight, ["text"], position)
    return list(found.values())


def choose_lead(sources: list[dict[str, Any]], headline: str, settings: DraftSettings,
                budget: _Budget) -> tuple[dict[str, Any] | None, list[dict]]:
    """The sentence that best says who, what, how many and when, from an English source if any.

    Candidates are the first sentences of each source's text; a sentence scores for a figure,
    an agency and a time word, and must pass the privacy guard.
    """
    decisions: list[dict] = []
    best: tuple[float, int, str, dict] | None = None
    english = [s for s in sources if s["language"] == DRAFT_LANGUAGE] or sources
    for rank, source in enumerate(english):
        article = source["article"]
        sentences = split_sentences(article.get("text") or "")[:6] or \
            split_sentences(article.get("summary") or "")[:2]
        for position, sentence in enumerate(sentences):
            words = len(sentence.split())
            if words < 6 or _key(sentence) == _key(headline):
                continue
            score = (3.0 * bool(COUNT_WORDS.search(sentence)) + 2.0 * bool(
                AGENCY_WORDS.search(sentence)) + 1.0 * bool(WHEN.search(sentence))
                - 0.5 * position - 0.25 * rank - (2.0 if words > MAX_WORDS_PER_SENTENCE else 0))
            if best is None or score > best[0]:
                best = (score, source["number"], sentence, source)
    if best is None:
        return None, decisions
    _, number, sentence, source = best
    guarded = privacy.guard_sentence(sentence, where="lead", source=number,
                                     public_names=settings.public_names)
    decisions += [d.as_dict() for d in guarded.decisions]
    if guarded.text is None:
        return None, decisions
    text = _words(guarded.text, MAX_WORDS_PER_SENTENCE)
    budget.take(number, text)
    return {"text": text, "sources": [number], "language": source["language"],
            "language_name": source["language_name"], "outlet": source["outlet"],
            "quote": bool(_quoted_words(text))}, decisions


def choose_information(sources: list[dict[str, Any]], exclude: set[str], settings: DraftSettings,
                       budget: _Budget) -> tuple[list[dict[str, Any]], list[dict]]:
    """Fact-bearing sentences, best first by weight, shown in source order, each cited.

    The same sentence in several sources (reprints, wire copy) is shown once and cites all.
    """
    decisions: list[dict] = []
    by_key: dict[str, dict[str, Any]] = {}
    for source in sources:
        for sentence, weight, kinds, position in _fact_sentences(source):
            key = _key(sentence)
            if key in exclude or _overlaps(key, exclude):
                continue
            same = [k for k in by_key if k == key or _overlaps(key, {k})]
            if same:
                key = same[0]
                if source["number"] not in by_key[key]["sources"]:
                    by_key[key]["sources"].append(source["number"])
                continue
            by_key[key] = {"raw": sentence, "weight": weight, "kinds": kinds,
                           "sources": [source["number"]], "position": position,
                           "source": source}
    strong = [c for c in by_key.values() if c["weight"] >= MIN_WEIGHT]
    weak = [c for c in by_key.values() if c["weight"] < MIN_WEIGHT]
    ranked = sorted(strong, key=lambda c: (-c["weight"], c["sources"][0], c["position"]))
    # Sentences without a figure, agency or date only fill a draft that would be too thin,
    # in the order the source tells the story.
    ranked += sorted(weak, key=lambda c: (c["sources"][0], c["position"]))
    chosen = []
    for candidate in ranked:
        if len(chosen) >= settings.max_fact_sentences or (
                candidate["weight"] < MIN_WEIGHT and len(chosen) >= MIN_FACT_SENTENCES):
            break
        source = candidate["source"]
        guarded = privacy.guard_sentence(candidate["raw"], where="information",
                                         source=source["number"],
                                         public_names=settings.public_names)
        decisions += [d.as_dict() for d in guarded.decisions]
        if guarded.text is None:
            continue
        text = _words(guarded.text, MAX_WORDS_PER_SENTENCE)
        if not budget.take(source["number"], text):
            continue
        chosen.append({**candidate, "text": text, "quote": bool(_quoted_words(text)),
                       "outlet": source["outlet"], "language": source["language"],
                       "language_name": source["language_name"]})
    chosen.sort(key=lambda c: (c["sources"][0], c["position"]))
    return [{k: v for k, v in c.items() if k not in ("raw", "source", "position")}
            for c in chosen], decisions


def _noun_class(noun: str) -> str:
    noun = " ".join((noun or "").lower().split())
    if noun in PEOPLE_NOUNS or noun.split()[-1:] and noun.split()[-1] in PEOPLE_NOUNS:
        return "people"
    return noun


def conflicting_figures(sources: list[dict[str, Any]],
                        settings: DraftSettings) -> list[dict[str, Any]]:
    """Figures for the same thing that differ between sources, each with its sources.

    Returns one group per kind of count (people, workers …) with two or more distinct values
    reported by different sources: ``{"noun", "figures": [{"value", "display", "noun",
    "sources": [n…], "outlets": […]}]}``.
    """
    groups: dict[str, dict[str, dict[str, Any]]] = {}
    for source in sources:
        for fact in (source["article"].get("facts") or {}).get("counts") or []:
            if not isinstance(fact, dict) or not isinstance(fact.get("value"), int | float):
                continue
            if privacy.guard_sentence(clean_text(fact.get("sentence")),
                                      public_names=settings.public_names).text is None:
                continue
            value = fact["value"]
            qualifier = clean_text(fact.get("qualifier"))  # "more than", "at least" …
            display = f"{qualifier} {value:,}" if qualifier else f"{value:,}"
            entry = groups.setdefault(_noun_class(fact.get("noun", "")), {}).setdefault(
                display, {"value": value, "display": display, "noun": clean_text(
                    fact.get("noun")), "sources": [], "outlets": []})
            if source["number"] not in entry["sources"]:
                entry["sources"].append(source["number"])
                entry["outlets"].append(source["outlet"])
    conflicts = []
    for noun, values in groups.items():
        if len(values) < 2:
            continue
        reporters = {n for v in values.values() for n in v["sources"]}
        if len(reporters) < 2:
            continue
        conflicts.append({"noun": noun, "figures": sorted(values.values(),
                                                          key=lambda v: v["sources"][0])})
    return conflicts


def choose_headline(incident: dict[str, Any], sources: list[dict[str, Any]]) -> str:
    """The incident's title, or an English source's title when the incident's is not English."""
    primary = sources[0] if sources else None
    if primary and primary["language"] != DRAFT_LANGUAGE:
        for source in sources:
            if source["language"] == DRAFT_LANGUAGE:
                return source["title"]
        return primary["title"]
    return primary["title"] if primary else clean_text(incident.get("title"))


def _tags(incident_type: str, sources: list[dict[str, Any]]) -> list[str]:
    tags = {"immigration", incident_type.replace("_", "-")}
    for source in sources:
        for fact in (source["article"].get("facts") or {}).get("agencies") or []:
            if isinstance(fact, dict) and fact.get("value"):
                tags.add(clean_text(str(fact["value"])))
    return sorted(tags)


def build_context(incident: dict[str, Any], articles: list[dict[str, Any]], config: Config,
                  now: datetime, settings: DraftSettings | None = None) -> dict[str, Any]:
    """Everything the draft template needs: sources numbered, sentences chosen and cited,
    figures compared, and the privacy guard's decisions. Pure: no I/O."""
    settings = settings or DraftSettings.from_config(config)
    sources, decisions = number_sources(incident, articles, settings)
    headline = choose_headline(incident, sources)
    budget = _Budget(settings)
    lead, lead_decisions = choose_lead(sources, headline, settings, budget)
    decisions += lead_decisions
    # Titles are not sentences of the report (the facts stage may tag them): never "facts".
    exclude = {_key(s["title"]) for s in sources} | {_key(headline)} | (
        {_key(lead["text"])} if lead else set())
    information, info_decisions = choose_information(sources, exclude, settings, budget)
    decisions += info_decisions
    if lead is None and information:
        lead, information = information[0], information[1:]
    incident_type = incident.get("incident_type") or "other_enforcement"
    languages = sorted({s["language"] for s in sources})
    primary = sources[0]["article"] if sources else {}
    date = (primary.get("published") or now.isoformat())[:10]
    figures = conflicting_figures(sources, settings)
    cited = {n for item in [lead or {"sources": []}, *information] for n in item["sources"]}
    cited |= {n for group in figures for figure in group["figures"] for n in figure["sources"]}
    for source in sources:
        source["cited"] = source["number"] in cited
    unique_decisions = []
    for decision in decisions:
        if decision not in unique_decisions:
            unique_decisions.append(decision)
    return {
        "headline": headline,
        "slug": slugify(headline),
        "date": date,
        "incident": incident,
        "incident_type": incident_type,
        "lead": lead,
        "information": information,
        "figures": figures,
        "sources": [{k: v for k, v in s.items() if k != "article"} for s in sources],
        "languages": languages,
        "foreign_sources": [s for s in sources if s["language"] != DRAFT_LANGUAGE],
        "all_foreign": bool(sources) and all(s["language"] != DRAFT_LANGUAGE for s in sources),
        "firm": config.firm,
        "generated_at": now.astimezone(UTC).isoformat(timespec="seconds"),
        "tags": _tags(incident_type, sources),
        "privacy": unique_decisions,
    }


def template_name(context: dict[str, Any], config: Config,
                  settings: DraftSettings | None = None) -> str:
    """`es/draft.md.j2` for an all-Spanish incident when the firm enabled its Spanish set."""
    settings = settings or DraftSettings.from_config(config)
    if (settings.spanish_templates and context["languages"] == ["es"]
            and (config.templates_dir / "es" / "draft.md.j2").exists()):
        return "es/draft.md.j2"
    return "draft.md.j2"


@lru_cache(maxsize=8)
def _environment(templates_dir: Path) -> Environment:
    """One environment per templates folder: templates compile once per process, and Jinja's
    auto-reload still picks up the firm's edits to a template file."""
    return markdown_env(templates_dir)


def render_draft(context: dict[str, Any], config: Config) -> str:
    """The draft's Markdown. A broken template (the firm edits them) is a one-line error."""
    env = _environment(config.templates_dir)
    name = template_name(context, config)
    try:
        return env.get_template(name).render(**context)
    except TemplateSyntaxError as exc:
        raise ConfigError(f"template {exc.filename or exc.name or name} line {exc.lineno}: "
                          f"{exc.message}") from None
    except TemplateNotFound as exc:
        raise ConfigError(f"template {exc.name} not found in {config.templates_dir}") from None
    except TemplateError as exc:
        raise ConfigError(f"template {name} (or a partial it includes): "
                          f"{exc.message}") from None


def _draft_sources(context: dict[str, Any]) -> list[dict[str, Any]]:
    """The sources as stored on the draft row, with the sentences the draft took from each."""
    used: dict[int, list[str]] = {}
    for item in [context["lead"] or {"sources": []}, *context["information"]]:
        for number in item["sources"]:
            used.setdefault(number, []).append(item["text"])
    return [{**source, "sentences": used.get(source["number"], [])}
            for source in context["sources"]]


class _Retry(Exception):
    """Rolls back a regeneration that raced with a hand edit; the next run sees the edit."""


def generate_drafts(db: sqlite_utils.Database, config: Config,
                    now: datetime | None = None) -> DraftReport:
    """Write drafts for new incidents and refresh those whose incident changed.

    A draft an attorney edited (its file no longer matches what was generated) is never
    overwritten: the regenerated text goes to `NAME.update.md` and the draft is flagged.
    """
    now = now or datetime.now(UTC)
    report = DraftReport()
    for incident in incident_store.list_incidents(db):
        existing = draft_store.draft_for_incident(db, incident["id"])
        if existing and existing["incident_version"] >= incident["version"]:
            continue
        try:
            _draft_incident(db, config, incident, existing, report, now)
        except _Retry:
            continue
        except OSError as exc:  # one unwritable file must not stop the other drafts
            report.errors.append(f"incident {incident['id']}: {exc}")
    return report


def _draft_incident(db: sqlite_utils.Database, config: Config, incident: dict[str, Any],
                    existing: dict[str, Any] | None, report: DraftReport,
                    now: datetime) -> None:
    """Write, regenerate or side-file the draft of one incident."""
    articles = article_store.articles_of_incident(db, incident["id"])
    if not articles:
        return
    context = build_context(incident, articles, config, now)
    text = render_draft(context, config)
    meta = {"title": context["headline"], "privacy": context["privacy"],
            "incident_type": context["incident_type"], "sources": _draft_sources(context)}
    if existing is None:
        wanted = config.drafts_dir / f"{context['date']}-{context['slug']}-{incident['id']}.md"
        path = unclaimed_path(wanted, text)
        flags = [kept_flag(wanted)] if path != wanted else []
        with db.atomic():
            draft_id = draft_store.save_draft(db, {
                "incident_id": incident["id"], "path": str(path), "version": 1,
                "incident_version": incident["version"], "status": "pending",
                "generated_hash": file_hash(text), "flags": flags, **meta,
            }, action="created", now=now)
            if flags:
                draft_store.log_event(db, draft_id, "kept-foreign-file", note=flags[0],
                                      detail={"kept": str(wanted), "path": str(path)}, now=now)
            draft_store.add_version(db, draft_id, expected_version=None, text=text,
                                    text_hash=file_hash(text), kind="generated",
                                    actor="monitor", now=now)
            write_atomic(path, text)
        report.written.append(str(path))
        if flags:
            report.kept.append((str(wanted), str(path)))
        return
    landed = landed_unrecorded(existing, text)
    if landed is not None:
        # A run was killed after renaming this rendering into place but before its transaction
        # committed: the file is ours, not an attorney's edit. Record it, flag nothing.
        with db.atomic():
            record_version(
                db, existing, landed, kind="regenerated", actor="monitor",
                note=f"incident version {incident['version']} (recovered after an interruption)",
                now=now, changes={"incident_version": incident["version"],
                                  "generated_hash": file_hash(landed), **meta})
        report.updated.append(existing["path"])
        return
    row = sync_file(db, existing["id"], now=now)
    path = Path(row["path"])
    on_disk = path.read_text(encoding="utf-8") if path.exists() else None
    edited = on_disk is not None and file_hash(on_disk) != row["generated_hash"]
    if edited:
        wanted, update_path = update_file(row, text)
        write_atomic(update_path, text)
        flags = sorted(set(row["flags"]) | {EDIT_FLAG})
        if update_path != wanted:
            flags = sorted(set(flags) | {kept_flag(wanted)})
            report.kept.append((str(wanted), str(update_path)))
        draft_store.update_draft(
            db, row["id"], {"incident_version": incident["version"], "flags": flags,
                            "update_path": str(update_path), "update_hash": file_hash(text)},
            action="update-side-file", note=EDIT_FLAG,
            detail={"update_path": str(update_path)}, now=now)
        report.flagged.append(str(update_path))
        return
    if on_disk is not None and same_content(on_disk, text):
        draft_store.update_draft(db, row["id"], {"incident_version": incident["version"],
                                                 **meta}, action="regenerated-unchanged",
                                 now=now)
        return
    with db.atomic():
        version = record_version(
            db, row, text, kind="regenerated", actor="monitor",
            note=f"incident version {incident['version']}", now=now,
            changes={"incident_version": incident["version"],
                     "generated_hash": file_hash(text), **meta})
        if version is None:  # an edit landed meanwhile: leave it for the next run
            return
        if read_if_exists(path) != on_disk:  # edited by hand this very moment: never overwrite
            raise _Retry
        write_atomic(path, text)
    report.updated.append(str(path))
