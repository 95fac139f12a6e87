"""Secrets never printed: remembered values and secret-shaped text are masked."""

from __future__ import annotations

from engine.redact import MASK, redact, remember


def test_remembered_values_are_masked_everywhere() -> None:
    remember("Sup3r-secret-value")
    assert redact("connecting with Sup3r-secret-value to x") == f"connecting with {MASK} to x"
    remember("abc")  # too short to mask safely: it would hide ordinary words
    assert redact("abcdef") == "abcdef"


def test_secret_shapes_are_masked_without_being_remembered() -> None:
    assert "hunter22" not in redact("postgresql://user:hunter22@db.example/x")
    assert "wJalrXUtnFEMI" not in redact("SECRET_ACCESS_KEY 'wJalrXUtnFEMI/K7MDENG'")
    assert "tok123" not in redact("aws_session_token=tok123;")
    assert "user" in redact("postgresql://user:hunter22@db.example/x")  # only the secret goes
