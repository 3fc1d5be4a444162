"""Topics: which subjects (AI training, arbitration, content licences…) a clause change touches.

The rules are data (`clausewatch/diff/topics.yml`, versioned); this module loads and validates them, finds
their matches in a text, tags changes with the topics of the words they add or remove, and renders a
text with its matched words highlighted so a reader can see why a change got its tags.

Over 400 lines on purpose: the rules' loader and validator and the matcher they feed are one
contract; split, a rule's checks would live apart from its use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from clausewatch.diff.language import text_language
from clausewatch.diff.regex_literals import fold_for_literals, may_match
from clausewatch.diff.words import diff_words
from clausewatch.errors import ConfigError
from clausewatch.models import ClauseChange, Diff, WordOp
from clausewatch.slugs import is_slug

DEFAULT_RULES = Path(__file__).resolve().parent / "topics.yml"
DEFAULT_NEAR = 150
TOP_KEYS = frozenset({"version", "language", "topics"})
TOPIC_KEYS = frozenset({"id", "title", "description", "rules", "weight"})
RULE_KEYS = frozenset({"patterns", "phrases", "requires", "near"})
_WORD = re.compile(r"\w")
Spans = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of a topic: any of `patterns`, each of `requires` within `near` characters."""

    patterns: tuple[re.Pattern[str], ...]
    requires: tuple[re.Pattern[str], ...] = ()
    near: int = DEFAULT_NEAR
    sources: tuple[str, ...] = ()
    """The patterns and phrases as written in the rules file (for the methodology page)."""
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    title: str
    description: str
    rules: tuple[Rule, ...]
    weight: int = 1
    """How much a change on this topic matters to a reader (1-10): the first key of the ranking of a
    change's clauses (`site/key_changes.py`). AI training and content licences rank highest."""
    language: str = "en"
    """The language the rules are written in (the rules file's `language`): they match only texts in it."""


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The whole rules file: its version and its topics."""

    version: int
    topics: tuple[Topic, ...]
    source: str


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """Where a topic's rule matched a text: `text[start:end] == matched`."""

    topic_id: str
    start: int
    end: int
    matched: str


def phrase_pattern(phrase: str) -> str:
    """A regex for a plain phrase: whole words, spaces and hyphens interchangeable, any apostrophe."""
    words = [re.escape(w).replace("'", "['’]") for w in re.split(r"[\s\-]+", phrase.strip()) if w]
    return r"(?<!\w)" + r"[\s\-]+".join(words) + r"(?!\w)"


def load_rule_set(path: Path | None = None) -> RuleSet:
    """Read and validate a rules file (default: the packaged topics.yml); ConfigError lists every problem."""
    path = Path(path) if path is not None else DEFAULT_RULES
    return _load_cached(str(path.resolve()))


def load_topics(path: Path | None = None) -> tuple[Topic, ...]:
    """The validated topics of a rules file (default: the packaged topics.yml)."""
    return load_rule_set(path).topics


@lru_cache(maxsize=8)
def _load_cached(path_text: str) -> RuleSet:
    path = Path(path_text)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}",
                          fix="check the path given for the topic rules") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: is not valid YAML: {exc}", fix="correct the YAML syntax") from exc
    errors: list[str] = []
    rule_set = _parse_rule_set(data, errors)
    if errors:
        lines = tuple(f"{path}: {e}" for e in errors)
        raise ConfigError(
            "invalid topic rules:\n  " + "\n  ".join(lines),
            fix="correct the listed keys (see the comment at the top of clausewatch/diff/topics.yml)",
            errors=lines,
        )
    return replace(rule_set, source=str(path))


def _parse_rule_set(data: Any, errors: list[str]) -> RuleSet:
    if not isinstance(data, dict):
        errors.append("top level: expected a mapping with `version` and `topics`. "
                      "To fix: start from clausewatch/diff/topics.yml")
        return RuleSet(0, (), "")
    for key in sorted(set(data) - TOP_KEYS, key=str):
        errors.append(f"'{key}': unknown key. To fix: remove it (allowed: version, language, topics)")
    language = data.get("language", "en")
    if not isinstance(language, str) or not re.fullmatch(r"[a-z]{2}", language):
        errors.append(f"'language': {language!r} is not a two-letter ISO 639-1 code. "
                      "To fix: write the language the rules are written in, e.g. `language: en`")
        language = "en"
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        errors.append("'version': must be a positive integer. "
                      "To fix: add `version: 1` and bump it whenever a rule changes")
        version = 0
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, list) or not raw_topics:
        errors.append("'topics': must be a non-empty list. To fix: list the topics under `topics:`")
        return RuleSet(version, (), "")
    topics = [replace(_parse_topic(item, f"topics[{i}]", errors), language=language)
              for i, item in enumerate(raw_topics)]
    seen: set[str] = set()
    for i, topic in enumerate(topics):
        if topic.id in seen:
            errors.append(f"'topics[{i}].id': duplicate id '{topic.id}'. To fix: give each topic its own id")
        seen.add(topic.id)
    return RuleSet(version, tuple(topics), "")


def _parse_topic(item: Any, where: str, errors: list[str]) -> Topic:
    if not isinstance(item, dict):
        errors.append(f"'{where}': expected a mapping. To fix: give it id, title, description, rules")
        return Topic("", "", "", ())
    for key in sorted(set(item) - TOPIC_KEYS, key=str):
        errors.append(f"'{where}.{key}': unknown key. "
                      f"To fix: remove it (allowed: {', '.join(sorted(TOPIC_KEYS))})")
    topic_id = item.get("id")
    if not isinstance(topic_id, str) or not is_slug(topic_id):
        errors.append(f"'{where}.id': {topic_id!r} is not a slug. "
                      "To fix: use lowercase words joined by hyphens")
        topic_id = ""
    texts = {}
    for key in ("title", "description"):
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            errors.append(f"'{where}.{key}': missing or empty. To fix: write a short {key} for readers")
            value = ""
        texts[key] = value.strip()
    raw_rules = item.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        errors.append(f"'{where}.rules': must be a non-empty list. To fix: add at least one rule")
        raw_rules = []
    rules = tuple(_parse_rule(r, f"{where}.rules[{i}]", errors) for i, r in enumerate(raw_rules))
    weight = item.get("weight", 1)
    if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 10:
        errors.append(f"'{where}.weight': {weight!r} is not a whole number from 1 to 10. "
                      "To fix: rate how much a change on this topic matters, 10 the most")
        weight = 1
    return Topic(topic_id, texts["title"], texts["description"], rules, weight)


def _parse_rule(item: Any, where: str, errors: list[str]) -> Rule:
    if not isinstance(item, dict):
        errors.append(f"'{where}': expected a mapping. To fix: give it `patterns` or `phrases`")
        return Rule(())
    for key in sorted(set(item) - RULE_KEYS, key=str):
        errors.append(f"'{where}.{key}': unknown key. "
                      f"To fix: remove it (allowed: {', '.join(sorted(RULE_KEYS))})")
    patterns = _strings(item, "patterns", where, errors)
    phrases = _strings(item, "phrases", where, errors)
    if not patterns and not phrases:
        errors.append(f"'{where}': has neither `patterns` nor `phrases`. To fix: add at least one")
    compiled = [_compile(p, f"{where}.patterns[{i}]", errors) for i, p in enumerate(patterns)]
    compiled += [_compile(phrase_pattern(p), f"{where}.phrases[{i}]", errors) for i, p in enumerate(phrases)]
    requires = [_compile(p, f"{where}.requires[{i}]", errors)
                for i, p in enumerate(_strings(item, "requires", where, errors))]
    near = item.get("near", DEFAULT_NEAR)
    if not isinstance(near, int) or isinstance(near, bool) or near < 0:
        errors.append(f"'{where}.near': {near!r} is not a number of characters. To fix: use e.g. `near: 150`")
        near = DEFAULT_NEAR
    return Rule(
        patterns=tuple(c for c in compiled if c is not None),
        requires=tuple(c for c in requires if c is not None),
        near=near,
        sources=tuple(patterns),
        phrases=tuple(phrases),
    )


def _strings(item: dict[str, Any], key: str, where: str, errors: list[str]) -> list[str]:
    value = item.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        errors.append(f"'{where}.{key}': must be a list of non-empty strings. To fix: quote each entry")
        return []
    return value


def _compile(pattern: str, where: str, errors: list[str]) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        errors.append(f"'{where}': invalid regular expression {pattern!r}: {exc}. "
                      "To fix: correct the regex (test it with `python -c 'import re; re.compile(...)'`)")
        return None


def _gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(0, max(a[0], b[0]) - min(a[1], b[1]))


def _rule_groups(rule: Rule, text: str, folded: str | None = None) -> Iterator[Spans]:
    """Each match of the rule's patterns, with the `requires` matches closest to it: one group each.

    `folded` (`fold_for_literals(text)`) lets patterns that cannot match be skipped unscanned."""
    if folded is not None and not all(may_match(req, folded) for req in rule.requires):
        return  # a `requires` pattern that cannot match: no group
    supports: list[list[tuple[int, int]]] | None = None
    for pattern in rule.patterns:
        if folded is not None and not may_match(pattern, folded):
            continue
        for m in pattern.finditer(text):
            if m.end() == m.start():
                continue
            if supports is None:
                supports = [[s.span() for s in req.finditer(text) if s.end() > s.start()] for req in rule.requires]
            group = [m.span()]
            for spans in supports:
                close = [s for s in spans if _gap(s, m.span()) <= rule.near and not _overlaps(s, [m.span()])]
                if not close:
                    break
                group.append(min(close, key=lambda s: _gap(s, m.span())))
            else:
                yield tuple(group)


MATCH_CACHE_SIZE = 32768
"""Clause texts whose rule matches are remembered (the same texts recur across a document's history
and again on the topic pages)."""


def match_groups(text: str, topics: Iterable[Topic] | None = None) -> list[tuple[str, Spans]]:
    """Every rule match in `text` as (topic id, spans): the pattern's span first, then its `requires`."""
    chosen = load_topics() if topics is None else topics
    if isinstance(chosen, tuple):
        return list(_cached_groups(text, _topics_key(chosen)))
    return list(_groups_of(text, chosen))


class _TopicsKey:
    """A rule set as a cache key: hashed once (hashing the compiled rules on every call is slow)."""

    __slots__ = ("topics", "_hash")

    def __init__(self, topics: tuple[Topic, ...]) -> None:
        self.topics = topics
        self._hash = hash(topics)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _TopicsKey) and (other.topics is self.topics or other.topics == self.topics)


_KEYS: dict[int, _TopicsKey] = {}
"""Keys by `id` of their topics tuple (each key holds its tuple, so the id is never reused)."""


def _topics_key(topics: tuple[Topic, ...]) -> _TopicsKey:
    key = _KEYS.get(id(topics))
    if key is None or key.topics is not topics:
        key = _KEYS[id(topics)] = _TopicsKey(topics)
    return key


@lru_cache(maxsize=MATCH_CACHE_SIZE)
def _cached_groups(text: str, key: _TopicsKey) -> tuple[tuple[str, Spans], ...]:
    return _groups_of(text, key.topics)


def _groups_of(text: str, topics: Iterable[Topic]) -> tuple[tuple[str, Spans], ...]:
    groups: list[tuple[str, Spans]] = []
    folded = fold_for_literals(text)
    for topic in topics:
        for rule in topic.rules:
            groups += [(topic.id, group) for group in _rule_groups(rule, text, folded)]
    return tuple(groups)


def _to_matches(text: str, groups: Iterable[tuple[str, Spans]]) -> list[TopicMatch]:
    found = {TopicMatch(tid, s, e, text[s:e]) for tid, spans in groups for s, e in spans}
    return sorted(found, key=lambda m: (m.start, m.end, m.topic_id))


def match_topics(text: str, topics: Iterable[Topic] | None = None) -> list[TopicMatch]:
    """Every place a topic rule matches `text`, sorted by position (default: the packaged rules)."""
    return _to_matches(text, match_groups(text, topics))


def _clause_text(clause: Any) -> str:
    if clause is None:
        return ""
    heading = clause.heading or ""
    return f"{heading}\n{clause.text}" if heading and heading not in clause.text else clause.text




def side_text(ops: Iterable[WordOp], side: str) -> tuple[str, list[tuple[int, int]]]:
    """The text of one side of a word diff (`before` or `after`) and the spans of its changed words.

    Runs are joined with a space where neither carries whitespace at the boundary, so that diffs
    whose runs hold bare words still give readable text. Whitespace- or punctuation-only runs are
    not counted as changed words.
    """
    changed_op = "delete" if side == "before" else "insert"
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    for op in ops:
        if op.op not in ("equal", changed_op) or not op.text:
            continue
        if parts and not parts[-1][-1:].isspace() and not op.text[:1].isspace() and _WORD.match(op.text[:1]) \
                and _WORD.match(parts[-1][-1:]):
            parts.append(" ")
            length += 1
        if op.op == changed_op and _WORD.search(op.text):
            spans.append((length, length + len(op.text)))
        parts.append(op.text)
        length += len(op.text)
    return "".join(parts), spans


def _overlaps(span: tuple[int, int], changed: list[tuple[int, int]]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in changed)


def iter_changed_matches(
    change: ClauseChange, topics: Iterable[Topic] | None = None
) -> Iterator[tuple[str, str, list[TopicMatch]]]:
    """(side, text, matches) for the words `change` adds (side `after`) or removes (side `before`).

    Whole clause texts for added and removed clauses; for the others, a rule match counts only when
    one of its words overlaps an inserted or deleted run of the word diff, so that a phrase spanning
    the edit is found while a topic present only in unchanged words is not.
    """
    topics = load_topics() if topics is None else tuple(topics)
    if change.before is None or change.after is None:
        side, clause = ("after", change.after) if change.before is None else ("before", change.before)
        text = _clause_text(clause)
        matches = match_topics(text, topics)
        if matches:
            yield side, text, matches
        return
    ops = change.words or _word_ops(change)
    for side in ("after", "before"):
        text, changed = side_text(ops, side)
        if not changed:
            continue
        groups = [(tid, spans) for tid, spans in match_groups(text, topics)
                  if any(_overlaps(span, changed) for span in spans)]
        if groups:
            yield side, text, _to_matches(text, groups)


def _word_ops(change: ClauseChange) -> tuple[WordOp, ...]:
    before = " ".join([change.before.text if change.before else ""]
                      + [c.text for c in change.others if change.kind == "merged"])
    after = " ".join([change.after.text if change.after else ""]
                     + [c.text for c in change.others if change.kind == "split"])
    return diff_words(before, after)  # the diff engine's own word diff, with its size guard


def topics_for_change(change: ClauseChange, topics: Iterable[Topic] | None = None) -> tuple[str, ...]:
    """Topic ids of the words `change` adds or removes, in rules-file order (none unless substantive)."""
    if change.change_class != "substantive":
        return ()
    topics = load_topics() if topics is None else tuple(topics)
    found = {m.topic_id for _, _, matches in iter_changed_matches(change, topics) for m in matches}
    return tuple(t.id for t in topics if t.id in found)


def tag_change(change: ClauseChange, topics: Iterable[Topic] | None = None) -> ClauseChange:
    """The same change with `topics` set to the topics of the words it adds or removes."""
    return replace(change, topics=topics_for_change(change, topics))


def tag_diff(diff: Diff, topics: Iterable[Topic] | None = None, *, text: str | None = None) -> Diff:
    """The same diff with every change tagged (see `tag_change`), by the rules written in the language of
    the diff's text (`diff_language`, or of `text`, the version's whole text, when given: its language
    is known already; all rules when it is unknown): English rules never tag a French text (`AI`,
    `train` are French words too)."""
    topics = load_topics() if topics is None else tuple(topics)
    language = text_language(text) if text is not None else diff_language(diff)
    if language is not None:
        topics = tuple(t for t in topics if t.language == language)
    return replace(diff, changes=tuple(tag_section(c, topics) for c in diff.changes))


def diff_language(diff: Diff) -> str | None:
    """The language of a diff's new text (its old text when the new one is empty), None when unknown."""
    clauses = diff.after or diff.before
    return text_language("\n\n".join(f"{c.heading or ''}\n{c.text}" for c in clauses))


def tag_section(change: ClauseChange, topics: Iterable[Topic] | None = None) -> ClauseChange:
    """A change tagged with its topics; a section's parts are tagged one by one and the section gets
    their topics, in rules-file order."""
    topics = load_topics() if topics is None else tuple(topics)
    if not change.parts:
        return tag_change(change, topics)
    parts = tuple(tag_change(p, topics) for p in change.parts)
    found = {t for p in parts for t in p.topics}
    return replace(change, parts=parts, topics=tuple(t.id for t in topics if t.id in found))


def merge_matches(text: str, matches: Iterable[TopicMatch]) -> list[tuple[int, int, frozenset[str]]]:
    """The matched spans of `text`, sorted, overlapping ones merged: (start, end, topic ids)."""
    merged: list[tuple[int, int, frozenset[str]]] = []
    for m in sorted(matches, key=lambda m: (m.start, m.end)):
        if m.start < 0 or m.end > len(text) or m.end <= m.start:
            continue
        if merged and m.start < merged[-1][1]:
            start, end, ids = merged[-1]
            merged[-1] = (start, max(end, m.end), ids | {m.topic_id})
        else:
            merged.append((m.start, m.end, frozenset({m.topic_id})))
    return merged
