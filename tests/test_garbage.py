"""The garbage checks: each wall or rot shape gets its own reason; real terms pages pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clausewatch.errors import ExtractError
from clausewatch.scraper.garbage import check_extraction, describe_drastic_change

SHARED = Path(__file__).resolve().parents[1] / "../shared/data/ota-demo-extraction"

POLICY = "\n\n".join(
    f"## {n}. Section {n}\n\nThe company collects data item number {n} for purpose {n * 7} and keeps it "
    f"for {n} months unless the user asks for deletion of item {n}."
    for n in range(1, 21)
)

CLOUDFLARE = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"></head><body><div class="main-wrapper" role="main">
<h1 class="zone-name-title h1">example.com</h1><h2>Checking if the site connection is secure</h2>
<noscript>Enable JavaScript and cookies to continue</noscript>
<script>window._cf_chl_opt={cvId: '3'};</script>
<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"></script></div></body></html>"""
AKAMAI = """<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>
You don't have permission to access "http&#58;&#47;&#47;www&#46;example&#46;com&#47;legal" on this server.<P>
Reference&#32;&#35;18&#46;5c2a1602&#46;1700000000&#46;1a2b3c4d</BODY></HTML>"""
DATADOME = """<html><head><title>example.com</title></head><body>
<script>var dd={'rt':'c','cid':'AHrlqAAAAAMA','hsh':'2211F522'}</script>
<script src="https://ct.captcha-delivery.com/c.js"></script></body></html>"""
PERIMETERX = """<html><head><title>Access to this page has been denied</title></head><body>
<div id="px-captcha"></div>
<p>Press &amp; Hold to confirm you are a human (and not a bot).</p></body></html>"""
LOGIN = """<html><body><form action="/session" method="post"><h1>Sign in to continue</h1>
<input type="email" name="login"><input type="password" name="password">
<a href="/reset">Forgot your password?</a><button>Sign in</button></form></body></html>"""


def reason_of(text: str, **kwargs: object) -> str:
    kwargs.setdefault("previous", None)
    with pytest.raises(ExtractError) as info:
        check_extraction(text, **kwargs)  # type: ignore[arg-type]
    assert info.value.fix, "every refusal says how to fix it"
    return info.value.reason


def test_a_real_looking_policy_passes() -> None:
    html = f"<main>{POLICY}</main>"
    check_extraction(POLICY, previous=None, expect=("purpose 14", "Section 12"), html=html)
    check_extraction(POLICY.replace("months", "weeks"), previous=POLICY)


@pytest.mark.parametrize("html", [CLOUDFLARE, AKAMAI, DATADOME, PERIMETERX], ids=["cf", "akamai", "dd", "px"])
def test_challenge_pages_with_status_200_are_bot_walls(html: str) -> None:
    text = "Just a moment... Checking if the site connection is secure" if html is CLOUDFLARE else "Access"
    assert reason_of(text, html=html, status=200) == "bot-wall"


@pytest.mark.parametrize("status", [403, 429, 503])
def test_bot_blocking_statuses_are_bot_walls(status: int) -> None:
    assert reason_of(POLICY, html=POLICY, status=status) == "bot-wall"


def test_other_error_statuses_are_http_status() -> None:
    assert reason_of(POLICY, status=404) == "http-status"
    assert reason_of(POLICY, status=500) == "http-status"


def test_a_login_form_is_a_login_wall() -> None:
    assert reason_of("# Sign in to continue\n\nForgot your password?", html=LOGIN) == "login-wall"
    assert reason_of("Please log in to view this page.", html="<p>Please log in to view this page.</p>") == (
        "login-wall"
    )


def test_a_long_policy_that_mentions_captchas_and_sign_in_is_not_a_wall() -> None:
    text = POLICY + "\n\nWe use reCAPTCHA; you must sign in to access some features. Access denied errors..."
    html = f"<header><form><input type='password'></form></header><main>{text}</main>" + " g-recaptcha"
    check_extraction(text, previous=None, html=html)


def test_vendor_traces_on_a_long_policy_are_not_a_wall() -> None:
    """Protected sites carry the vendor's tag on every page, and cookie tables name its cookies."""
    html = ("<html><head><title>Privacy Policy</title><script src='https://js.datadome.co/tags.js'></script>"
            "<script src='/cdn-cgi/challenge-platform/scripts/jsd/main.js'></script></head><body>"
            f"<main>{POLICY}<table><tr><td>incap_ses_*</td><td>Imperva session</td></tr></table></main>"
            "<div class='cf-turnstile'></div></body></html>")
    check_extraction(POLICY + "\n\nCookies: incap_ses_*, datadome.", previous=None, html=html)
    assert reason_of("Please wait", html=html.replace(POLICY, "Please wait")) == "bot-wall"


def test_empty_and_whitespace_extractions_are_refused() -> None:
    assert reason_of("") == "empty"
    assert reason_of(" \n\t\n ") == "empty"


def test_a_menu_is_refused_as_navigation() -> None:
    menu = "* [Home](/)\n* [Products](/products)\n* [Pricing](/pricing)\n* [About us](/about)\n* [Help](/c)"
    assert reason_of(menu) == "navigation"


def test_missing_expected_phrases_are_named() -> None:
    with pytest.raises(ExtractError) as info:
        check_extraction(POLICY, previous=None, expect=("purpose 14", "Governing law", "arbitration"))
    assert info.value.reason == "expect-missing"
    assert "'Governing law'" in info.value.problem and "'arbitration'" in info.value.problem
    assert "purpose 14" not in info.value.problem


def test_expected_phrases_match_across_case_whitespace_and_emphasis() -> None:
    check_extraction("We **may\n  Share** your data with partners", previous=None, expect=("may share your",))


def test_shrink_growth_and_vanished_clauses_are_drastic_changes() -> None:
    first_half = POLICY[: len(POLICY) // 3]
    assert reason_of(first_half, previous=POLICY) == "drastic-change"
    assert reason_of(POLICY * 4, previous=POLICY) == "drastic-change"
    rewritten = "\n\n".join(f"## {n}. Part\n\nEntirely different wording about topic {n * 13} here and there."
                            for n in range(1, 22))
    rewritten += "\n\n" + "Padding words to keep the size comparable. " * 40
    assert "clauses are gone" in (describe_drastic_change(POLICY, rewritten) or "")


def test_renumbering_and_small_edits_are_not_drastic() -> None:
    renumbered = POLICY.replace("## 1.", "## 0.").replace("## 2.", "## 1.")
    edited = POLICY.replace("The company", "Acme Inc.").replace("deletion", "erasure")
    assert describe_drastic_change(POLICY, renumbered) is None
    assert describe_drastic_change(POLICY, edited) is None


def shared_cases() -> list[Path]:
    cases = SHARED / "cases"
    return sorted(cases.iterdir()) if cases.is_dir() else []


@pytest.mark.shared_data
def test_no_real_terms_page_is_refused() -> None:
    """47 real snapshots and the Markdown OTA recorded from them: none is a wall, menu or empty."""
    cases = shared_cases()
    if not cases:
        pytest.skip(f"real data not found at {SHARED} (see the team README)")
    for case in cases:
        meta = json.loads((case / "case.json").read_text(encoding="utf-8"))
        text = (case / "expected.md").read_text(encoding="utf-8")
        html = (case / "snapshot.html").read_text(encoding="utf-8", errors="replace")
        check_extraction(text, previous=None, html=html, where=case.name)
        assert meta, case


@pytest.mark.shared_data
def test_consecutive_real_versions_are_drastic_only_for_the_known_rewrite() -> None:
    """Across the real version pairs, only GitHub's February 2024 privacy rewrite is held for review."""
    cases = shared_cases()
    if not cases:
        pytest.skip(f"real data not found at {SHARED} (see the team README)")
    by_document: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for case in cases:
        service, document, date, _ = case.name.split("__")
        by_document.setdefault((service, document), []).append((date, (case / "expected.md").read_text()))
    held = []
    for (service, document), versions in by_document.items():
        versions.sort()
        for (_, old), (date, new) in zip(versions, versions[1:], strict=False):
            if describe_drastic_change(old, new):
                held.append(f"{service}/{document}@{date}")
    assert held == ["github/privacy-policy@2024-02-15"]
