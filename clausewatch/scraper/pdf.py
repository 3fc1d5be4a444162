"""PDF documents: detect them and turn their bytes into plain text (pypdf), nothing else."""

from __future__ import annotations

import io
import logging
import re

from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

from clausewatch.errors import ExtractError

MAX_PAGES = 1000
"""A terms document longer than this is not a terms document; refuse rather than spend minutes."""


def is_pdf(content: bytes, content_type: str = "") -> bool:
    """True when the response is a PDF, by content type or by the `%PDF-` magic bytes."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media in {"application/pdf", "application/x-pdf"} or content.lstrip()[:5] == b"%PDF-"


def pdf_to_text(content: bytes, *, where: str = "the PDF") -> str:
    """The text of every page, pages separated by a blank line, lines stripped, runs of blanks folded."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractError(f"{where}: the PDF is encrypted", reason="pdf",
                               fix="track an unencrypted copy of the document (HTML or PDF)")
        if len(reader.pages) > MAX_PAGES:
            raise ExtractError(f"{where}: the PDF has {len(reader.pages)} pages (limit {MAX_PAGES})",
                               reason="pdf", fix="declare the URL of the terms document itself")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise ExtractError(f"{where}: the PDF cannot be read ({exc})", reason="pdf",
                           fix="check that the URL serves a complete PDF (open it in a browser)") from exc
    return tidy_text("\n\n".join(pages))


def tidy_text(text: str) -> str:
    """Strip trailing spaces per line and fold three or more newlines into one blank line."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
