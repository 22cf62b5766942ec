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
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)

from monitor import draft_story as story
from monitor import facts, privacy, stated_event
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
from monitor.draft_settings import (  # noqa: F401 - the names drafting always had
    MAX_FACT_SENTENCES,
    MAX_QUOTE_WORDS_PER_SOURCE,
    MAX_SENTENCES_PER_SOURCE,
    MAX_WORDS_PER_SENTENCE,
    MAX_WORDS_PER_SOURCE,
    DraftSettings,
)
from monitor.relevance import incident_types
from monitor.storage import articles as article_store
from monitor.storage import drafts as draft_store
from monitor.storage import incidents as incident_store
from monitor.templating import markdown_env, strip_html
from monitor.textclean import defang_templates
from monitor.textfold import fold
from monitor.urls import is_http_url

HEADLINE_WORDS = 16  # a headline made from the lead when no source has a usable title
DRAFT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "fr": "French", "pt": "Portuguese",
                  "ht": "Haitian Creole", "zh": "Chinese", "vi": "Vietnamese"}
INCIDENT_TYPES = incident_types()  # the taxonomy is the one list
SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"'”’»)]*\s+(?=[\"'“‘«(¿¡]?[A-ZÁÉÍÓÚÑ0-9])")
ABBREVIATION = re.compile(r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|"
                          r"St|Jr|Sr|No|Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|Miss|Calif|Fla|"
                          r"Ariz|Tex|Ill|Sra|Sr|Dra|Vol|Nos?|Pp?|Fed|Reg)\.|\b[ap]\.m\.)$")
DATELINE = re.compile(r"^(?:[A-ZÁÉÍÓÚÑ]{3,}(?:[ .'-]+[A-ZÁÉÍÓÚÑ]{2,})*(?:,\s*[A-Z][A-Za-z.]{1,12})?"
                      r"(?:\s*\((?:AP|Reuters|EFE|AFP|[A-Z]{2,10}|[A-Za-z]{2,6}-[A-Z]{2,6})\))?"
                      r"\s+[—–-]{1,2}\s+"
                      r"|\((?:[A-ZÁÉÍÓÚÑ.]{2,}[ ,]*){1,6}\)\s+"
                      # a time stamp as dateline: "(September 17, 2025, 8:11 PM EDT) -- "
                      r"|\([A-Z][a-z]+\.? \d{1,2}, \d{4}(?:, \d{1,2}:\d{2} ?[AaPp]\.?[Mm]\.?"
                      r"(?: [A-Z]{2,4})?)?\)\s*[—–-]{1,2}\s+"
                      # a Spanish dateline: "Ciudad de México, 6 de noviembre de 2025.— ",
                      # "Ciudad de Guatemala, Guatemala.- ", "Phoenix, EU.- "
                      r"|[A-ZÁÉÍÓÚÑ][\wáéíóúñ]+(?:\s+(?:de\s+)?[A-ZÁÉÍÓÚÑ][\wáéíóúñ]+){0,3}"
                      r"(?:,\s*[A-ZÁÉÍÓÚÑ][\w.]*(?:\s+[A-ZÁÉÍÓÚÑ][\w.]*)?)?"
                      r"(?:,\s*\d{1,2}\s+de\s+[a-z]+(?:\s+de\s+\d{4})?)?\.[—–-]\s*)")
# A field label of a structured document ("SUMMARY: This notice …"): cut, the prose stays.
FIELD_LABEL = re.compile(r"^(?:SUMMARY|DATES|SUPPLEMENTARY INFORMATION|BACKGROUND|RESUMEN):\s+")
# A hard-wrapped line (GovInfo's 70 columns) continues on the next: joined before splitting.
WRAP_END = re.compile(r"[.!?:;][\"'”’»)]*\s*$|^[^A-Za-zÁÉÍÓÚÑáéíóúñ]*$")  # a stop; a rule
WRAP_COLUMNS = 55
# A memo's headings run into one block ("… July 02, 2019 MEMORANDUM FOR: … FROM: … SUBJECT:
# …"): each starts a line of its own, so no heading is glued to a sentence.
INLINE_LABEL = re.compile(r"[ \t]+(?=(?:MEMORANDUM (?:FOR|TO)|FROM|SUBJECT):\s)")
MEMO_LINE = re.compile(r"\s*(?:MEMORANDUM (?:FOR|TO)|FROM|SUBJECT):")
LABEL_LINE = re.compile(r"^[ \t]*([A-Z][A-Z ]{2,30}:)[ \t]*\n\s*(?=\S)", re.M)
JSON_FIELD = re.compile(r'^\s*\{\s*"\w+"\s*:\s*"')
BULLET = re.compile(r"^(?:[•·▪►*–-]|\(\s*\))\s*")  # a list item's mark is not part of its sentence
QUOTED = re.compile(r"[“\"«]([^”\"»]{12,})[”\"»]")


@dataclass
class DraftReport:
    written: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (kept file, written beside it)
    errors: list[str] = field(default_factory=list)


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
    """Sentences of a text; abbreviations such as "U.S." or "Sen." do not end a sentence, and
    a line break always does (a headline, a caption or a byline is never glued to the news)."""
    sentences: list[str] = []
    text = LABEL_LINE.sub(r"\1 ", _unwrap(INLINE_LABEL.sub("\n", text or "")))
    if JSON_FIELD.match(text):  # a page that served its API's JSON: its text, unquoted
        text = JSON_FIELD.sub("", text).replace('\\"', '"').rstrip('"} \n')
    for paragraph in text.splitlines():
        if MEMO_LINE.match(paragraph):
            continue  # a memo's heading, with whatever an extraction glued to it
        joined: list[str] = []
        for piece in SENTENCE_SPLIT.split(clean_text(paragraph)):
            piece = piece.strip()
            if not piece:
                continue
            if joined and ABBREVIATION.search(joined[-1]):
                joined[-1] = f"{joined[-1]} {piece}"
            else:
                joined.append(piece)
        sentences += joined
    return [FIELD_LABEL.sub("", BULLET.sub("", DATELINE.sub("", sentence, count=1)))
            for sentence in sentences]


def _unwrap(text: str) -> str:
    """Join hard-wrapped lines: a line that does not end a sentence continues on the next when
    the next starts in lower case, or, in a text wrapped at a column (GovInfo's), when the line
    reaches that column. A headline, a caption or a byline stays a line of its own."""
    lines = text.split("\n")
    # A document wrapped at a column has no longer line and many lines near it.
    columns = max(map(len, lines), default=0) <= WRAP_COLUMNS + 30 and sum(
        len(line) >= WRAP_COLUMNS for line in lines) >= 5
    out: list[str] = []
    for line in lines:
        previous = out[-1] if out else ""
        if (previous.strip() and not WRAP_END.search(previous) and not WRAP_END.match(line)
                and (line.lstrip()[:1].islower() or (columns and len(previous) >= WRAP_COLUMNS))):
            out[-1] = f"{previous.rstrip()} {line.strip()}"
        else:
            out.append(line)
    return "\n".join(out)


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
    """Sources in footnote order: the best primary source first (an agency's statement, then
    the earliest original report, a rewrite citing another outlet last), then by date."""
    # An agency's memorandum is its own statement wherever it is hosted (a DocumentCloud copy).
    ranks = {a["id"]: 0 if facts.memo_headings(a.get("title") or "", a.get("text") or "")
             else story.source_rank(a, split_sentences(a.get("text") or "")[:3])
             for a in articles}
    ordered = sorted(articles, key=lambda a: (ranks[a["id"]], a.get("published") or "9999",
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
            "url": story.cited_url(article),
            "published": article.get("published"), "retrieved": article.get("first_seen"),
            "language": language,
            "language_name": LANGUAGE_NAMES.get(language, language),
            "rank": ranks[article["id"]],
            "article": article,
        })
    return sources, decisions


def _candidates(sources: list[dict[str, Any]], exclude: set[str], settings: DraftSettings,
                figures: story.Figures) -> list[story.Candidate]:
    """Every usable sentence of every source, with its facts; the same sentence in several
    sources (reprints, wire copy) is one candidate that cites them all."""
    by_key: dict[str, story.Candidate] = {}
    for source in sources:
        article = source["article"]
        sentences = split_sentences(article.get("text") or "") or \
            split_sentences(article.get("summary") or "")
        usable = [(n, s) for n, s in enumerate(sentences)
                  if story.is_story_sentence(s, max_words=settings.max_words_per_sentence)
                  and not story.is_caption(s, sentences[n + 1] if n + 1 < len(sentences) else "")]
        found = facts.sentence_facts([s for _, s in usable], language=source["language"],
                                     reference=_reference(article))
        for (position, sentence), sentence_found in zip(usable, found, strict=True):
            key = _key(sentence)
            if key in exclude or _overlaps(key, exclude):
                continue
            same = [k for k in by_key if k == key or _overlaps(key, {k})]
            if same:
                if source["number"] not in by_key[same[0]].sources:
                    by_key[same[0]].sources.append(source["number"])
                continue
            candidate = story.Candidate(sentence, source, position, sentence_found,
                                        sources=[source["number"]])
            candidate.atoms = story.atoms_of(sentence, sentence_found, figures)
            candidate.roles = {a[1] for a in candidate.atoms if a[0] == "role"}
            by_key[key] = candidate
    return list(by_key.values())


def _reference(article: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(article.get("published") or "")
    except ValueError:
        return None


# A sentence that opens by pointing back ("This has caused notable concern …", "It was the
# third …") leans on an earlier one: it cannot stand alone as a lead.
# A person's claim opening the sentence ("Jorge Garcia says a legal blunder allowed ICE …")
# is what someone argues, not what happened.
CLAIM = re.compile(r"(?:[A-Z][\w.'’-]*\s+){1,4}(?:says|claims|alleges|argues|believes|insists)\s")
REFERS_BACK = re.compile(r"[\"“]?(?:This|These|That|Those|It|They|He|She|His|Her|Their|Its|"
                         r"Esto|Este|Esta|Estos|Estas|Ello)\s")


def _lead_score(candidate: story.Candidate, shared: dict[tuple, int]) -> float:
    """Who did what to how many, when: a figure, an agency, a time, the facts most sources
    share; early in the primary source. A lead without an agency or a figure rarely states
    the event."""
    kinds = {a[0] for a in candidate.atoms}
    parts = facts.lead_parts(candidate.text)
    source = candidate.source
    core = sum(shared.get(a, 1) - 1 for a in candidate.atoms)
    # "ICE officers … conducted the enforcement actions Oct. 3 through Oct. 9." says that
    # something was done, not what or to how many: weaker than a sentence with its figure.
    announced = "announcement" in parts
    return (3.0 * ("count" in kinds) + 2.0 * ("agency" in kinds) + 1.0 * ("date" in kinds)
            + 1.0 * ("action" in parts and not announced)
            - 2.0 * (announced and not kinds & {"count", "data"})
            + 1.0 * ("subject" in parts and "agency" not in kinds)
            + 0.25 * min(core, 16) - 3.0 * ("background" in candidate.roles)
            - 1.5 * ("discovery" in candidate.roles) - 4.0 * ("later" in parts)
            - 3.0 * bool(REFERS_BACK.match(candidate.text) or CLAIM.match(candidate.text))
            + 0.5 * ("data" in kinds or "place" in kinds) - 0.5 * candidate.position
            - 1.5 * source["rank"] - 0.2 * (source["number"] - 1)
            - (2.0 if len(candidate.text.split()) > MAX_WORDS_PER_SENTENCE else 0.0)
            - (4.0 if source["language"] != DRAFT_LANGUAGE else 0.0))


def choose_lead(candidates: list[story.Candidate], settings: DraftSettings,
                budget: _Budget, notice: story.Candidate | None = None,
                templates_dir: Path | None = None, memo: story.Candidate | None = None,
                ) -> tuple[story.Candidate | None, dict | None, list[dict]]:
    """One sentence stating the event, cited, from the best primary source; English if any.

    Candidates are the first six sentences of each source; one that passes the privacy guard
    with the best `_lead_score` wins. When none states the event and the sources include a
    Federal Register notice, the lead is `notice`, stated from its headings (`register_lead`);
    so is it when the agency's own page states the event without naming the agency. An agency
    memorandum's headings (`memo`, `memo_lead`) lead when no sentence of a source ranked as
    well as the memo (an agency's own statement) states the event.
    """
    decisions: list[dict] = []
    opening = [c for c in candidates if c.position < 6]
    shared = story.centrality(candidates)
    later = _later_sources([c.source for c in candidates])
    # The best primary source leads when one of its opening sentences states the event (an
    # agency with a figure, a date or a place); among those, the best scored sentence. A
    # report published weeks after the first ones tells what came later (everyone flown back
    # from Guantánamo in March): it states the event only when no earlier report does. An
    # agency's own statement is the primary source whatever its date.
    def states(c: story.Candidate) -> bool:
        return (c.source["rank"] == 0 or c.source["number"] not in later) and _states_event(c)

    def order(c: story.Candidate) -> tuple[int, float]:
        return (c.source["rank"] if states(c) else 9, -round(_lead_score(c, shared), 6),
                c.source["number"], c.position)

    ranked = sorted(opening, key=order)
    best = ranked[0] if ranked and states(ranked[0]) else None
    # No sentence says who did what, but a Federal Register notice's headings do; or the
    # agency's own page states it without naming the agency ("On June 3, 2024, the President
    # signed a Proclamation …" in the abstract of the Departments' rule): its publisher, named
    # in the notice's headings, is who acted. A memo is its agency's own statement: when no
    # sentence of an equally ranked source states the event, its headings do ("On July 2,
    # 2019, Jennifer L. Costello, Acting Inspector General of the Department of Homeland
    # Security, issued a memorandum: …" before a wire story's "The US Homeland Security
    # watchdog has issued …").
    # A document's own headings also come before a sentence that would be stated in English
    # from another language.
    foreign = best is not None and best.source["language"] != DRAFT_LANGUAGE
    for document, replaces in ((notice, best is None or foreign or _unnamed_publisher(best)),
                               (memo, best is None or foreign or memo and best.source[
                                   "rank"] > memo.source["rank"])):
        if document is not None and replaces:
            budget.take(document.source["number"], document.text)
            return document, {**_item(document, document.text), "quote": False}, decisions
    # The sentence that leads as written: an English one, or failing every other, the first
    # non-English sentence that could not be stated in English.
    pasted = None
    for candidate in ranked:
        guarded = _guarded(candidate, "lead", settings, decisions)
        if guarded is None:
            continue
        if candidate.source["language"] != DRAFT_LANGUAGE:
            # An English post leads with an English sentence: the event stated in the firm's
            # words from what the sentence says, cited as it would have been.
            stated = stated_lead(candidate, settings, templates_dir) if templates_dir else None
            if stated is not None:
                return stated, _english_item(stated), decisions
            pasted = pasted or (candidate, guarded)
            continue
        named = named_lead(candidate, settings, templates_dir) if templates_dir else None
        if named is None and templates_dir:
            named = office_lead(candidate, [c.source for c in candidates], settings,
                                templates_dir)
        if named is not None:
            return named, {**_item(named, named.text), "quote": False}, decisions
        pasted = (candidate, guarded)  # an English sentence leads as written
        break
    if pasted is None:
        return None, None, decisions
    candidate, guarded = pasted
    text = _words(guarded, settings.max_words_per_sentence)
    budget.take(candidate.source["number"], text)
    return candidate, _item(candidate, text), decisions


LATER_DAYS = 21  # a report this long after the first one tells a later development


def _later_sources(sources: list[dict[str, Any]]) -> set[int]:
    """The numbers of the sources published more than `LATER_DAYS` after the earliest dated
    one (undated sources are never later: nothing says when they were written)."""
    dated = {s["number"]: _reference(s["article"]) for s in sources}
    dated = {n: d for n, d in dated.items() if d is not None}
    if not dated:
        return set()
    first = min(dated.values())
    return {n for n, d in dated.items() if (d - first).days > LATER_DAYS}


def _english_item(lead: story.Candidate) -> dict:
    """A lead stated in the templates' English from a non-English source's sentence."""
    return {**_item(lead, lead.text), "quote": False, "language": DRAFT_LANGUAGE,
            "language_name": LANGUAGE_NAMES[DRAFT_LANGUAGE], "stated": True}


def stated_lead(candidate: story.Candidate, settings: DraftSettings,
                templates_dir: Path) -> story.Candidate | None:
    """A non-English lead sentence stated in English: who did what to whom, where and when,
    read from the sentence (`stated_event.event_parts`: "Funcionarios estadounidenses
    deportaron a 18 migrantes …" → actor, verb, object) in the words of
    `templates/partials/stated_lead.txt.j2` ("U.S. officials deported 18 migrants on October
    17, 2025."). Cited as the sentence was; None when a part cannot be read."""
    parts = stated_event.event_parts(candidate.text, candidate.facts, facts.month_names())
    if parts is None:
        return None
    if parts["object"] and re.fullmatch(r"[A-ZÁÉÍÓÚÑ][\w'-]+", parts["object"]):
        # A surname alone ("Guevara fue arrestado …") is the person its article names in full.
        parts = {**parts, "object": _full_name(parts["object"],
                                               candidate.source["article"].get("text") or "")}
    return _restated(candidate, "partials/stated_lead.txt.j2", settings, templates_dir,
                     keep_count=True, **parts)


def _restated(candidate: story.Candidate, template_name: str, settings: DraftSettings,
              templates_dir: Path, *, keep_count: bool, **values: Any) -> story.Candidate | None:
    """A lead candidate's sentence said again in the words of a lead template, guarded and
    cited as the sentence was. With `keep_count`, its figure is the sentence's own (keyed as
    the candidates' Figures are), not whatever the rendered words parse to."""
    template = _plain_environment(templates_dir).get_template(template_name)
    text = " ".join(template.render(**values).split())
    lead = _templated(text, candidate.source, candidate.position, list(candidate.sources),
                      settings, stands_for=candidate.text)
    if lead is not None and keep_count:
        lead.atoms = ({a for a in lead.atoms if a[0] != "count"}
                      | {a for a in candidate.atoms if a[0] == "count"})
    return lead


PAST_VERB = re.compile(r"\b([a-z]+ed)\s+$")


def named_lead(candidate: story.Candidate, settings: DraftSettings,
               templates_dir: Path) -> story.Candidate | None:
    """The lead stated with its agency when the sentence names its actor only generically.

    "Federal immigration officials said Wednesday they have arrested more than 100 people …"
    says who did what to how many, but not which agency; its source's headline does ("ICE
    arrests more than 100 in …"). When the sentence's actor is a generic subject
    (`facts.lead_parts`), it names no agency, and its source's headline and earlier sentences
    name exactly one, the lead is that agency, the sentence's own verb (past tense, an event's
    verb) and its own words for the figure, with its place, in the words of
    `templates/partials/named_lead.txt.j2`: "ICE arrested more than 100 people in Los
    Angeles." Cited as the sentence was; None whenever any part is missing or uncertain.
    """
    if "agency" in {a[0] for a in candidate.atoms} or "subject" not in facts.lead_parts(
            candidate.text):
        return None
    article = candidate.source["article"]
    before = split_sentences(article.get("text") or "")[:candidate.position]
    named = facts.sentence_facts([clean_text(article.get("title")), *before],
                                 language=DRAFT_LANGUAGE)
    agencies = {str(f["value"]) for found in named for f in found.get("agencies") or []}
    if len(agencies) != 1:
        return None
    for fact in candidate.facts.get("counts") or []:
        words = fact.get("text") or ""
        at = candidate.text.find(words) if words and not fact.get("vague") else -1
        verb = PAST_VERB.search(candidate.text[:at]) if at > 0 else None
        if verb and "action" in facts.lead_parts(verb.group(1)):
            break
    else:
        return None
    # The generic actor is the verb's subject, written before it: "Federal prosecutors …
    # charged two Chicago residents … with assaulting federal officers" names no officer who
    # acted, so the agency of the headline is not who charged them.
    if "subject" not in facts.lead_parts(candidate.text[:verb.start()]):
        return None
    places = [str(f["value"]) for f in candidate.facts.get("places") or []]
    return _restated(candidate, "partials/named_lead.txt.j2", settings, templates_dir,
                     keep_count=True, agency=agencies.pop(), action=verb.group(1), count=words,
                     place=places[0] if places else None)


FIRST_PERSON = re.compile(r"We\s+(?:have\s+)?(?=[a-z]+ed\b)")
OFFICE = re.compile(r"\b([A-Z]{2,6}) (?:OIG|Office of (?:the )?Inspector General)\b")


def office_lead(candidate: story.Candidate, sources: list[dict[str, Any]],
                settings: DraftSettings, templates_dir: Path) -> story.Candidate | None:
    """The lead of an inspector general's report told in its own first person ("We identified
    violations of … detention standards …", as Oversight.gov lists it, without saying whose
    report it is), stated with the office the incident's sources name: "The DHS Office of
    Inspector General identified violations of …" (`templates/partials/office_lead.txt.j2`).
    None unless the sources name exactly one department's inspector general ("DHS OIG")."""
    opening = FIRST_PERSON.match(candidate.text)
    if opening is None:
        return None
    departments = {m for s in {id(s): s for s in sources}.values()
                   for m in OFFICE.findall(s["article"].get("text") or "")}
    if len(departments) != 1:
        return None
    return _restated(candidate, "partials/office_lead.txt.j2", settings, templates_dir,
                     keep_count=False, department=departments.pop(),
                     finding=candidate.text[opening.end():])


def _full_name(surname: str, text: str) -> str:
    """The fullest form of a name its article uses ("Mario Guevara" for "Guevara"), itself when
    the article has none."""
    forms = re.findall(r"\b((?:[A-ZÁÉÍÓÚÑ][a-záéíóúñ'-]+\s+){1,2})" + re.escape(surname) + r"\b",
                       text)
    names = [f.strip() for f in forms
             if not facts.sentence_facts([f.strip()])[0]["agencies"]
             and f.split()[0].lower() not in {"el", "la", "los", "las", "un", "una", "the"}]
    return f"{max(names, key=names.count)} {surname}" if names else surname


def register_lead(sources: list[dict[str, Any]], settings: DraftSettings,
                  templates_dir: Path) -> story.Candidate | None:
    """The lead of an incident whose sources include a Federal Register notice, stated from its
    headings (`facts.register_notice`: who published which action, when, where) in the words of
    `templates/partials/register_lead.txt.j2`, citing every source a stated field came from.

    A notice has no sentence that says who did what ("AGENCY: …", "ACTION: Final rule." are
    headings): its fields do. Fields one copy lacks (the citation, the date) come from the
    next copy of the same document, in footnote order, and that copy is cited too.
    """
    merged: dict[str, str] = {}
    cited: list[int] = []
    first = None
    for source in sources:
        article = source["article"]
        notice = facts.register_notice(article.get("title") or "", article.get("text") or "")
        if notice is None or (merged and notice.get("title") != merged.get("title")):
            continue
        first = first or source
        added = {k: v for k, v in notice.items() if v and k not in merged}
        if added:
            merged.update(added)
            cited.append(source["number"])
    merged.setdefault("action", merged.get("section", ""))
    if first is None or not (merged.get("title") and merged.get("agencies") and merged["action"]):
        return None  # not enough to say who did what
    return _stated_lead("partials/register_lead.txt.j2", merged, (
        "date", "agencies", "action", "title", "citation", "number"),
        first, cited, settings, templates_dir)


def memo_lead(sources: list[dict[str, Any]], settings: DraftSettings,
              templates_dir: Path) -> story.Candidate | None:
    """The lead of an incident whose sources include an agency memorandum, stated from its
    headings (`facts.memo_headings`: who sent it, about what, when) in the words of
    `templates/partials/memo_lead.txt.j2`, citing every copy a stated field came from (copies
    have the same subject). An Inspector General's alert extracted as one block, or as
    headings only, has no sentence saying who issued it; its headings do."""
    merged: dict[str, str] = {}
    cited: list[int] = []
    first = None
    for source in sources:
        article = source["article"]
        memo = facts.memo_headings(article.get("title") or "", article.get("text") or "")
        if memo is None or (merged and fold(memo["subject"]) != fold(merged["subject"])):
            continue
        first = first or source
        added = {k: v for k, v in memo.items() if v and k not in merged}
        if added:
            merged.update(added)
            cited.append(source["number"])
    if first is None:
        return None
    return _stated_lead("partials/memo_lead.txt.j2", merged, (
        "date", "sender", "sender_title", "office", "subject"),
        first, cited, settings, templates_dir)


def _stated_lead(template_name: str, fields: dict[str, str], keys: tuple[str, ...],
                 first: dict[str, Any], cited: list[int], settings: DraftSettings,
                 templates_dir: Path) -> story.Candidate | None:
    """A lead in the template's words from fields read off the sources (cleaned, the date in
    the firm's format), through the privacy guard like any copied sentence, citing `cited`."""
    values = {key: clean_text(value) for key, value in fields.items()}
    values["date"] = story.format_date(fields.get("date"), facts.month_names())
    template = _plain_environment(templates_dir).get_template(template_name)
    text = " ".join(template.render(**{k: values.get(k) for k in keys}).split())
    return _templated(text, first, 0, cited, settings)


def _templated(text: str, source: dict[str, Any], position: int, sources: list[int],
               settings: DraftSettings, stands_for: str = "") -> story.Candidate | None:
    """A sentence in the templates' words as a candidate: through the privacy guard like any
    copied sentence (None when it would not pass), with the facts and atoms it carries."""
    guarded = privacy.guard_sentence(text, public_names=settings.public_names)
    if guarded.text is None:
        return None
    found = facts.sentence_facts([guarded.text], language=DRAFT_LANGUAGE)[0]
    candidate = story.Candidate(guarded.text, source, position, found, sources=sources,
                                stands_for=stands_for)
    candidate.atoms = story.atoms_of(guarded.text, found, story.Figures())
    return candidate


def _unnamed_publisher(candidate: story.Candidate) -> bool:
    """An agency's own page (`story.source_rank` 0) whose sentence names no agency, only a
    generic actor ("the President", "the Departments"): the page's publisher goes unnamed."""
    return candidate.source["rank"] == 0 and "agency" not in {a[0] for a in candidate.atoms}


def _states_event(candidate: story.Candidate) -> bool:
    """An opening sentence, not background, that says
    who did what: an actor (an agency, or a subject such as "federal immigration officials",
    `facts.lead_parts`) and what they did (an event's verb, a figure, the data exposed or how
    long). "ICE has a contract to house nearly 1,000 immigrants" has no event's verb but a
    figure of background; "CBP reports that it learned of the breach on May 31" says when it
    was found, not what happened. A non-English sentence states the event when its actor, its
    event's verb and what it was done to can be read for an English lead (`stated_lead`); a
    passive without its actor ("18 migrantes fueron deportados") does not."""
    if "background" in candidate.roles:
        return False
    if candidate.source["language"] != DRAFT_LANGUAGE:
        parts = stated_event.event_parts(candidate.text, candidate.facts, facts.month_names())
        return parts is not None and parts["actor"] is not None
    kinds = {a[0] for a in candidate.atoms}
    parts = facts.lead_parts(candidate.text)
    actor = "agency" in kinds or "subject" in parts
    return actor and ("action" in parts or bool(kinds & {"count", "data", "duration"}))


def _item(candidate: story.Candidate, text: str, parts: list[dict] | None = None) -> dict:
    source = candidate.source
    return {"text": text, "sources": list(candidate.sources), "language": source["language"],
            "language_name": source["language_name"], "outlet": source["outlet"],
            "quote": bool(_quoted_words(text)), "role": candidate.role,
            "parts": parts or [], "kinds": sorted({a[0] for a in candidate.atoms})}


def choose_information(candidates: list[story.Candidate], lead: story.Candidate | None,
                       settings: DraftSettings, budget: _Budget, word_budget: int,
                       min_words: int = 0) -> tuple[list[dict[str, Any]], list[dict]]:
    """The Information, fact first: each sentence adds a fact the lead and the sentences
    before it do not carry; a sentence that would only repeat is left out.

    Greedy: the candidate adding the most (weighted by kind: figures and durations first) wins,
    an English sentence before a Spanish one, a primary source before a rewrite. A non-English
    sentence is stated in English from its facts (`parts`, worded by the templates) with its
    citation; only when its new facts cannot be stated that way is it quoted. Chosen sentences
    are shown as a story: what happened, how it was found, the response, what comes next.
    """
    decisions: list[dict] = []
    covered = set(lead.atoms) if lead else set()
    chosen: list[tuple[story.Candidate, dict]] = []
    pool = [c for c in candidates if c is not lead and not (lead and c.text == lead.stands_for)]
    words = 0
    months = facts.month_names()
    english = any(c.source["language"] == DRAFT_LANGUAGE for c in candidates)
    while pool and len(chosen) < settings.max_fact_sentences:
        # Below the body's minimum length a new name, organisation or finding in words is
        # enough when most of the sentence is new (`story.MIN_NOVELTY`: not the lead told
        # again with one new word); above it a sentence must add a fact of weight
        # (`story.MIN_GAIN`) beyond its words. Nothing that only repeats.
        short = words < min_words
        # In a post with English sources a non-English sentence is stated from its facts, not
        # its words: its words do not count (an all-Spanish incident quotes them: they do).
        scored = [(story.gain(c.atoms, covered, words=short and (
            c.source["language"] == DRAFT_LANGUAGE or not english)), c) for c in pool]
        floor = 0.2 if short else story.MIN_GAIN
        scored = [(g, c) for g, c in scored if g >= floor and story.adds(c.atoms, covered) and (
            not short or g >= story.MIN_GAIN
            or story.novelty(c.atoms, covered) >= story.MIN_NOVELTY)]
        if not scored:
            break
        # Rounded, then footnote order and position: the same draft on every run (a sum over
        # a set is not bit-for-bit the same in another order).
        best_gain, best = max(scored, key=lambda gc: (
            round(gc[0] + 1.5 * (gc[1].source["language"] == DRAFT_LANGUAGE)
                  - 0.5 * gc[1].source["rank"] - 0.05 * gc[1].position, 6),
            -gc[1].source["number"], -gc[1].position))
        pool.remove(best)
        item = _information_item(best, covered, settings, months, decisions, english)
        if item is None:
            continue
        length = len(item["text"].split()) + 4 * len(item["parts"])
        if words + length > word_budget and chosen:
            continue
        if not item["parts"] and not budget.take(best.source["number"], item["text"]):
            continue
        words += length
        covered |= best.atoms
        chosen.append((best, item))
    if words < min_words:  # a short draft: state the facts no chosen sentence carries
        taken = {id(c) for c, _ in chosen}
        rest = [c for c in candidates if c is not lead and id(c) not in taken
                and not (lead and c.text == lead.stands_for)]
        chosen += _floor(rest, covered, settings, months, decisions,
                         min_words - words, settings.max_fact_sentences - len(chosen))
    chosen.sort(key=lambda ci: (story.ROLE_ORDER[ci[0].role], ci[0].source["number"],
                                ci[0].position))
    return [item for _, item in _told_once(chosen, lead)], decisions


def _told_once(chosen: list[tuple[story.Candidate, dict]],
               lead: story.Candidate | None) -> list[tuple[story.Candidate, dict]]:
    """The chosen sentences in story order, each adding a fact (`story.adds`) to the lead and
    the sentences shown before it. Chosen greedily, a sentence added a fact to those chosen
    before it, but shown as a story a later choice may come first and carry all it said."""
    covered = set(lead.atoms) if lead else set()
    kept = []
    for candidate, item in chosen:
        atoms = candidate.atoms
        if item["parts"]:  # stated from its facts: what it states is what it adds
            atoms = {a for a in atoms if a[0] in STATED_KINDS}
        if story.adds(atoms, covered):
            kept.append((candidate, item))
        covered |= candidate.atoms
    return kept


STATED_KINDS = {"count", "duration", "date", "place", "data"}


def _floor(rest: list[story.Candidate], covered: set[tuple], settings: DraftSettings,
           months: list[str], decisions: list[dict], room: int,
           slots: int) -> list[tuple[story.Candidate, dict]]:
    """Sentences stated from facts for a draft below `min_body_words`: what the chosen
    sentences left out (a figure, how long, the data, a date with a place) is stated in the
    firm's words (`stated` in `templates/partials/macros.md.j2`) from the sentence that reports
    it, cited. A sentence's words are not reused, so the per-source limits on verbatim text do
    not apply; each fact is stated once and nothing already covered is stated again (`covered`
    grows). Sentences the privacy guard leaves out give no fact either."""
    added: list[tuple[story.Candidate, dict]] = []
    words = 0
    pool = list(rest)
    while pool and words < room and len(added) < slots:
        scored = []
        for candidate in pool:
            new = {a for a in candidate.atoms - covered if a[0] in STATED_KINDS}
            counts = {a for a in candidate.atoms if a[0] == "count"}
            if not counts <= new:  # stated counts are all of the sentence's: none said before
                new -= counts
            parts = story.fact_parts(candidate, new, months)
            kinds = {p["kind"] for p in parts} | ({"date"} if any(
                p["kind"] == "effect" for p in parts) else set())
            stated = {a for a in new if a[0] in kinds}
            if parts and story.gain(stated, set()) >= story.MIN_GAIN:
                scored.append((story.gain(stated, set()), candidate, parts, stated))
        if not scored:
            break
        _, best, parts, stated = max(scored, key=lambda s: (
            s[0] - 0.5 * s[1].source["rank"], -s[1].source["number"], -s[1].position))
        pool.remove(best)
        guarded = _guarded(best, "information", settings, decisions)
        if guarded is None:
            continue
        covered |= stated
        item = {**_item(best, guarded, parts), "quote": False}
        added.append((best, item))
        words += 4 + 4 * len(parts)
    return added


def _guarded(candidate: story.Candidate, where: str, settings: DraftSettings,
             decisions: list[dict]) -> str | None:
    """The candidate's sentence through the privacy guard, its decisions appended to
    `decisions` (they go to the front matter); None when the sentence may not be used."""
    guarded = privacy.guard_sentence(candidate.text, where=where,
                                     source=candidate.source["number"],
                                     public_names=settings.public_names)
    decisions += [d.as_dict() for d in guarded.decisions]
    return guarded.text


def _information_item(candidate: story.Candidate, covered: set[tuple], settings: DraftSettings,
                      months: list[str], decisions: list[dict],
                      english_sources: bool) -> dict | None:
    guarded = _guarded(candidate, "information", settings, decisions)
    if guarded is None:
        return None
    text = _words(guarded, settings.max_words_per_sentence)
    if candidate.source["language"] == DRAFT_LANGUAGE:
        return _item(candidate, text)
    parts = story.fact_parts(candidate, candidate.atoms - covered, months)
    if parts:
        return _item(candidate, text, parts)
    if english_sources:
        return None  # what it adds cannot be stated in English from its facts: not pasted
    return _item(candidate, text)  # an all-Spanish incident: its words, quoted and marked


def conflicting_figures(sources: list[dict[str, Any]], settings: DraftSettings,
                        lead: story.Candidate | None = None) -> list[dict[str, Any]]:
    """Real disagreements about one quantity: counts of the same kind of thing that are
    different figures (`figures_agree` says no), each reported by its own sources.

    Only counts from a source's opening sentences, said with something the lead says (an
    agency, the place, the date …) and not in a background sentence ("ICE currently holds more
    than 30,000 immigrants"), unless two sources report them; and only digits ("thousands of"
    is not a figure).
    Returns one group per kind of thing: ``{"noun", "figures": [{"value", "display", "noun",
    "sources": [n…], "outlets": […]}]}``.
    """
    figures = story.Figures(by_kind=True)
    lead_atoms = {a for a in (lead.atoms if lead else set())
                  if a[0] not in ("count", "role", "word")}
    entries: dict[int, dict[str, Any]] = {}
    for source in sources:
        article = source["article"]
        sentences = [s for s in split_sentences(article.get("text") or "")
                     if story.is_story_sentence(s, max_words=settings.max_words_per_sentence)]
        opening = sentences[:3]
        found = facts.sentence_facts(opening, language=source["language"])
        for sentence, sentence_found in zip(opening, found, strict=True):
            if privacy.guard_sentence(sentence, public_names=settings.public_names).text is None:
                continue
            for fact in sentence_found.get("counts") or []:
                if not re.search(r"\d", fact.get("text", "")):
                    continue
                key = figures.key(fact)
                if key is None:
                    continue
                qualifier = clean_text(fact.get("qualifier"))
                display = f"{qualifier} {fact['value']:,}" if qualifier else f"{fact['value']:,}"
                entry = entries.setdefault(key, {
                    "value": fact["value"], "display": display,
                    "noun": clean_text(fact.get("noun")), "sources": [], "outlets": [],
                    "kind": figures.groups[key]["kind"], "about_the_event": False})
                # The event's quantity: said with something the lead says (the place, the
                # date, the data …), not a background figure of the same kind.
                atoms = story.atoms_of(sentence, sentence_found, story.Figures())
                entry["about_the_event"] |= ("role", "background") not in atoms and (
                    bool(atoms & lead_atoms) or lead is None)
                if not fact.get("qualifier") and entry["display"] != display:
                    entry.update(value=fact["value"], display=display)  # the exact figure
                if source["number"] not in entry["sources"]:
                    entry["sources"].append(source["number"])
                    entry["outlets"].append(source["outlet"])
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for entry in entries.values():
        kind, about = entry.pop("kind"), entry.pop("about_the_event")
        if about or len(entry["sources"]) > 1:
            by_kind.setdefault(kind, []).append(entry)
    conflicts = []
    for noun, values in by_kind.items():
        if len(values) < 2 or len({n for v in values for n in v["sources"]}) < 2:
            continue
        conflicts.append({"noun": noun, "figures": sorted(values,
                                                          key=lambda v: v["sources"][0])})
    return conflicts


def choose_headline(incident: dict[str, Any], sources: list[dict[str, Any]]) -> str:
    """The primary source's title, or an English source's when the primary is not English;
    a source without a title (only its URL) never gives the headline."""
    titled = [{**s, "title": facts.register_title(s["title"])} for s in sources
              if s["title"] and not is_http_url(s["title"])]
    english = [s for s in titled if s["language"] == DRAFT_LANGUAGE]
    best = (english or titled or [None])[0]
    return best["title"] if best else clean_text(incident.get("title"))


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
    figures compared, and the privacy guard's decisions. Pure: no I/O but the templates."""
    settings = settings or DraftSettings.from_config(config)
    sources, decisions = number_sources(incident, articles, settings)
    headline = choose_headline(incident, sources)
    budget = _Budget(settings)
    # Titles are not sentences of the report (the facts stage may tag them): never "facts".
    exclude = {_key(s["title"]) for s in sources} | {_key(headline)}
    candidates = _candidates(sources, exclude, settings, story.Figures())
    notice = register_lead(sources, settings, config.templates_dir)
    memo = memo_lead(sources, settings, config.templates_dir)
    lead_candidate, lead, lead_decisions = choose_lead(candidates, settings, budget, notice,
                                                       config.templates_dir, memo)
    decisions += lead_decisions
    if not headline and lead:  # no source had a usable title: the lead says what happened
        headline = _words(clean_text(lead["text"]), HEADLINE_WORDS)
    incident_type = incident.get("incident_type") or "other_enforcement"
    fixed = len((lead or {"text": ""})["text"].split()) + _why_words(config, incident_type)
    information, info_decisions = choose_information(
        candidates, lead_candidate, settings, budget, settings.max_body_words - fixed,
        settings.min_body_words - fixed)
    decisions += info_decisions
    languages = sorted({s["language"] for s in sources})
    primary = sources[0]["article"] if sources else {}
    date = (primary.get("published") or now.isoformat())[:10]
    figures = conflicting_figures(sources, settings, lead_candidate)
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
        "sources": [{k: v for k, v in s.items() if k not in ("article", "rank")}
                    for s in sources],
        "languages": languages,
        "foreign_sources": [s for s in sources if s["language"] != DRAFT_LANGUAGE],
        "all_foreign": bool(sources) and all(s["language"] != DRAFT_LANGUAGE for s in sources),
        "firm": config.firm,
        "generated_at": now.astimezone(UTC).isoformat(timespec="seconds"),
        "tags": _tags(incident_type, sources),
        "privacy": unique_decisions,
    }


def _why_words(config: Config, incident_type: str) -> int:
    """Words of the "Why It Matters" text for this type: the body's length limit counts it."""
    env = _environment(config.templates_dir)
    try:
        template = env.select_template([f"why/{incident_type}.md.j2", "why/default.md.j2"])
        return len(template.render(firm=config.firm, incident_type=incident_type).split())
    except TemplateError:
        return 0  # render_draft reports a broken template in one line


def template_name(context: dict[str, Any], config: Config,
                  settings: DraftSettings | None = None) -> str:
    """`es/draft.md.j2` for an all-Spanish incident when the firm enabled its Spanish set."""
    settings = settings or DraftSettings.from_config(config)
    if (settings.spanish_templates and context["languages"] == ["es"]
            and (config.templates_dir / "es" / "draft.md.j2").exists()):
        return "es/draft.md.j2"
    return "draft.md.j2"


@lru_cache(maxsize=8)
def _plain_environment(templates_dir: Path) -> Environment:
    """Templates of plain-text sentences (a notice's lead): no Markdown escaping here, the
    draft escapes the sentence once where it shows it."""
    env = Environment(loader=FileSystemLoader(str(templates_dir)), autoescape=False,
                      undefined=StrictUndefined, keep_trailing_newline=False)
    env.filters["article"] = lambda word: "an" if (word or "")[:1].lower() in "aeiou" else "a"
    return env


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
