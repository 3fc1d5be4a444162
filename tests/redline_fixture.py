"""A large restructure, as real services make them: the fixture of the redline browser tests (issue 12).

Parlo (a fictional video-meeting service) rewrote its terms in one go: 42 sections renumbered and
reordered, most clauses edited a little, some sections dropped or rewritten, one new section "10.4
Customer License Grant" taking a perpetual, sublicensable licence to customer content for machine
learning and artificial intelligence, buried in the middle of ~170 clause blocks. The texts are
generated (deterministic) and written in the Markdown Open Terms Archive records: bold lead-ins, links,
a table.
"""

from __future__ import annotations

import random

TOPICS = [
    "Definitions", "Eligibility", "Accounts", "Subscriptions", "Payments", "Taxes", "Refunds", "Trials",
    "Acceptable Use", "Prohibited Conduct", "Security", "Confidentiality", "Third-Party Services",
    "Integrations", "Support", "Service Levels", "Maintenance", "Availability", "Beta Features",
    "Feedback", "Trademarks", "Publicity", "Export Controls", "Sanctions", "Warranties", "Disclaimers",
    "Indemnity", "Limitation of Liability", "Term", "Suspension", "Termination", "Effect of Termination",
    "Notices", "Assignment", "Force Majeure", "Severability", "Waiver", "Entire Agreement", "Amendments",
    "Governing Law", "Responsibility for End Users", "Customer Content",
]
SENTENCES = [
    "The Customer is responsible for keeping the account credentials confidential at all times.",
    "Parlo may update these features from time to time to improve the reliability of the Services.",
    "Fees are invoiced in advance and are payable within thirty days of the invoice date.",
    "Any notice under this agreement must be given in writing to the address in the Order Form.",
    "The Customer shall not reverse engineer, decompile or disassemble any part of the Services.",
    "Parlo will provide reasonable technical support during its normal business hours.",
    "Either party may terminate this agreement for material breach that remains uncured for thirty days.",
    "Neither party will be liable for delays caused by events beyond its reasonable control.",
    "The Customer must comply with all applicable export laws when using the Services.",
    "Parlo does not warrant that the Services will be uninterrupted or free of errors.",
    "Each party keeps all rights in its own trademarks, logos and brand features.",
    "Scheduled maintenance is announced at least forty-eight hours in advance on the status page.",
]
EDITS = [("thirty days", "fifteen days"), ("reasonable", "commercially reasonable"), ("Parlo may", "Parlo can"),
         ("at all times", "at every time"), ("its normal business hours", "posted business hours")]
LICENCE = (
    "**10.4 Customer License Grant.** You agree to grant and hereby grant Parlo a perpetual, worldwide, "
    "non-exclusive, royalty-free, sublicensable, and transferable license and all other rights required or "
    "necessary to redistribute, publish, import, access, use, store, transmit, review, disclose, preserve, "
    "extract, modify, reproduce, share, use, display, copy, distribute, translate, transcribe, create "
    "derivative works, and process Customer Content and to perform all acts with respect to the Customer "
    "Content for the purpose of product and service development, marketing, analytics, quality assurance, "
    "machine learning, artificial intelligence, training, testing, and improvement of the Services."
)
CONTENT_V1 = (
    "You own your Customer Content. Parlo uses it only to provide the Services to you, as described in our "
    "[Privacy Statement](https://parlo.example/privacy)."
)
DISPUTES_V1 = "Disputes are settled by the courts of the Customer's country of residence."
DISPUTES_V2 = (
    "Any dispute will be resolved by binding individual arbitration administered in San Jose, California. "
    "You waive any right to a jury trial or to take part in a class action."
)
TABLE = (
    "| **Data** | **Kept for** |\n| --- | --- |\n| Meeting recordings | 30 days after the meeting |\n"
    "| [Chat messages](https://parlo.example/chat) | 12 months |"
)


def _paragraphs(rng: random.Random, title: str) -> list[str]:
    picks = rng.sample(SENTENCES, 3)
    return [f"**{title}.** {picks[0]}", picks[1], picks[2]]


def terms_v1() -> str:
    rng = random.Random(2022)
    out = ["# Parlo Terms of Service", "", "Last updated: June 1, 2022", ""]
    for number, title in enumerate(TOPICS, start=1):
        body = _paragraphs(rng, title)
        if title == "Customer Content":
            body = [CONTENT_V1]
        elif title == "Governing Law":
            body = [DISPUTES_V1]
        out += [f"## {number}. {title.upper()}", ""]
        for k, text in enumerate(body, start=1):
            out += [f"{number}.{k} {text}", ""]
    out += ["## DATA RETENTION", "", TABLE, ""]
    return "\n".join(out)


def terms_v2() -> str:
    rng = random.Random(2022)
    edit = random.Random(2023)
    sections = []
    for title in TOPICS:
        body = _paragraphs(rng, title)
        if title == "Customer Content":
            body = [CONTENT_V1.replace("Parlo uses it only to provide the Services to you", "Parlo may use it"),
                    "**Permitted Use.** Parlo may access and use Customer Content to provide the Services.",
                    LICENCE]
        elif title == "Governing Law":
            body = [DISPUTES_V2]
        elif title == "Responsibility for End Users":
            continue  # dropped in the restructure
        else:
            body = [_edited(text, edit) for text in body]
        sections.append((title, body))
    order = [s for s in sections if s[0] not in ("Customer Content", "Governing Law")]
    edit.shuffle(order)
    order.insert(9, next(s for s in sections if s[0] == "Customer Content"))
    order.append(next(s for s in sections if s[0] == "Governing Law"))
    out = ["# Parlo Terms of Service", "", "Last updated: March 31, 2023", ""]
    for number, (title, body) in enumerate(order, start=1):
        out += [f"## {number}. {title.upper()}", ""]
        for k, text in enumerate(body, start=1):
            if text.startswith("**10.4 "):
                text = text.replace("**10.4 ", f"**{number}.4 ")
                out += [text, ""]
            else:
                out += [f"{number}.{k} {text}", ""]
    out += ["## DATA RETENTION", "", TABLE.replace("30 days", "90 days"), ""]
    return "\n".join(out)


def _edited(text: str, rng: random.Random) -> str:
    before, after = rng.choice(EDITS)
    return text.replace(before, after) if before in text and rng.random() < 0.8 else text
