"""The pages' words: every reason code the planner can give has a Russian and an English text,
and both catalogues hold the same keys (a key missing in one language shows itself as a key)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "api" / "web"
REASONS_JS = WEB / "js" / "reasons.js"

# Calls in planner/ that name a rule: the position (or keyword) of the code in each.
CODE_ARGUMENT: dict[str, int | str] = {
    "Unplanned": 2,
    "Skipped": 1,
    "Broken": 0,
    "note": 0,
    "PlanRuleError": "rule",
    "PlanUnplanned": "code",
}


def _constants(node: ast.AST) -> set[str]:
    """String constants in an expression (`code or "unplanned"` gives {"unplanned"})."""
    nodes = ast.walk(node)
    return {n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def planner_codes() -> set[str]:
    codes: set[str] = set()
    for path in (ROOT / "planner").glob("*.py"):
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(call, ast.Call):
                continue
            name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
            where = CODE_ARGUMENT.get(name or "")
            if isinstance(where, int) and len(call.args) > where:
                codes |= _constants(call.args[where])
            elif isinstance(where, str):
                for keyword in call.keywords:
                    if keyword.arg == where:
                        codes |= _constants(keyword.value)
    return {c for c in codes if re.fullmatch(r"[a-z_]+", c)}


def table_codes(table: str) -> set[str]:
    """The codes a table of reasons.js knows (`const UNPLANNED = { no_location: [...], ...}`)."""
    source = REASONS_JS.read_text(encoding="utf-8")
    body = source.split(f"const {table} = {{", 1)[1].split("\n};", 1)[0]
    return set(re.findall(r"^  ([a-z_]+): \[", body, flags=re.MULTILINE))


def catalogue(lang: str) -> dict[str, str]:
    return json.loads((WEB / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))


def test_every_planner_code_has_words() -> None:
    codes = planner_codes()
    assert {"no_skill", "no_time", "window_unreachable", "shift_end", "pinned"} <= codes
    known = table_codes("UNPLANNED") | table_codes("MOVE")
    assert codes - known == set(), "codes the pages would show in English"


def test_every_key_of_reasons_is_in_both_languages() -> None:
    source = REASONS_JS.read_text(encoding="utf-8")
    keys = set(re.findall(r"key: '([a-z_.]+)'", source))
    keys |= {f"reason.{c}.general" for c in table_codes("UNPLANNED")}
    keys |= {f"move.{c}.general" for c in table_codes("MOVE")}
    keys.add("why.usual_busy")
    for lang in ("ru", "en"):
        words = catalogue(lang)
        # A code whose only pattern matches any sentence never needs its general text.
        missing = {
            k
            for k in keys
            if k not in words and f"{k}#other" not in words and not _always_matches(source, k)
        }
        assert missing == set(), lang


def _always_matches(source: str, key: str) -> bool:
    code = key.split(".")[1]
    return key.endswith(".general") and f"  {code}: [{{ re: /./," in source


# The plural forms of each language (CLDR, as Intl.PluralRules gives them for whole numbers
# and fractions): a text that depends on a count has a key for each, "key#few".
PLURAL_FORMS = {"ru": {"one", "few", "many", "other"}, "en": {"one", "other"}}


def _base(key: str) -> str:
    return key.split("#", 1)[0]


def test_catalogues_have_the_same_keys() -> None:
    assert {_base(k) for k in catalogue("ru")} == {_base(k) for k in catalogue("en")}
    assert all(catalogue("ru").values()) and all(catalogue("en").values())


def test_counted_texts_have_every_plural_form() -> None:
    for lang, forms in PLURAL_FORMS.items():
        words = catalogue(lang)
        counted = {_base(k) for k in words if "#" in k}
        for key in counted:
            assert key not in words, f"{lang}: {key} is both plain and counted"
            assert {f"{key}#{f}" for f in forms} <= words.keys(), f"{lang}: {key}"


# A person's name filled in as the subject of a past-tense verb takes the name's gender
# ("Прокофьева Юлия Викторовна вернулся бы"): such texts are phrased without the verb agreeing
# with the name ("{worker}: возвращение в 18:10").
PERSON_THEN_PAST_VERB = re.compile(
    r"\{(worker|client|who)\}\s+[а-яё]+(л|лся|ла|лась|ло|ли)(\s+бы)?\b", re.IGNORECASE
)


def test_no_verb_agrees_with_a_filled_in_name() -> None:
    for lang in ("ru",):
        bad = {k: v for k, v in catalogue(lang).items() if PERSON_THEN_PAST_VERB.search(v)}
        assert bad == {}, bad
