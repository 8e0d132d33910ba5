"""read_message: headers, bodies, charsets and transfer encodings as real (and broken) mail
has them; it never raises and stays bounded."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.message import EmailMessage

from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.adapters.mail.message import MAX_PART_CHARS, read_message


def raw(headers: str, body: bytes = b"") -> bytes:
    return headers.replace("\n", "\r\n").encode() + b"\r\n" + body


def test_headers_are_decoded_from_encoded_words_and_folded_lines() -> None:
    message = read_message(
        raw(
            "From: =?UTF-8?Q?Jos=C3=A9_from_Acme?= <Alerts@Acme.EXAMPLE>\n"
            "Subject: =?utf-8?b?Q2Fmw6kg?=\n =?utf-8?q?jobs_=E2=80=94?= this week\n"
            "Date: Sat, 25 Jul 2026 09:48:32 +0200\n"
            "Message-ID: <x1@acme.example>\n",
            b"hi\r\n",
        )
    )
    assert message.sender == "alerts@acme.example"
    assert message.sender_name == "José from Acme"
    assert message.subject == "Café jobs — this week"  # no space kept between adjacent words
    assert message.date == datetime(2026, 7, 25, 7, 48, 32, tzinfo=UTC)
    assert message.message_id == "<x1@acme.example>"
    assert message.header("SUBJECT") == message.subject
    assert message.text == "hi\n"  # line ends as LF


def test_a_character_split_across_two_encoded_words_is_joined() -> None:
    message = read_message(raw("Subject: =?utf-8?q?caf=C3?= =?utf-8?q?=A9?=\n"))
    assert message.subject == "café"


def test_headers_that_break_the_email_policy_are_read_as_well_as_they_can_be() -> None:
    message = read_message(
        raw(
            'From: "unterminated <broken@@example\n'
            "Subject: =?bogus-charset?q?plain?= =?utf-8?b?!!!?= =?rot13?q?gbc?=\n"
            "Content-Type: text/plain; charset*=utf-8''%E2%82\n"
            "Date: not a date\n",
            b"body\r\n",
        )
    )
    assert message.sender == ""
    assert message.subject.startswith("plain")
    assert message.date is None
    assert message.text == "body\n"


def test_raw_utf8_headers_are_decoded_as_utf8() -> None:
    message = read_message(
        b"Subject: Z\xc3\xbcrich \xe2\x80\x94 jobs\r\nFrom: a@b.example\r\n\r\nx"
    )
    assert message.subject == "Zürich — jobs"


def test_quoted_printable_soft_line_breaks_are_joined() -> None:
    body = b"View job: https://www.example.com/jobs/view/123/?tracking=\r\nId=3Dabc&x=3D1\r\n"
    message = read_message(raw("Content-Transfer-Encoding: quoted-printable\n", body))
    assert message.text == "View job: https://www.example.com/jobs/view/123/?trackingId=abc&x=1\n"


def test_a_lost_3d_keeps_the_digits_after_a_raw_equals_sign() -> None:
    # The encoder left `=` unescaped (`href="`): `=44` and `=10` are not escapes but digits.
    body = b'<a href="https://x.example/view?id=4441092711&geo=105397918">Job</a>\r\n'
    message = read_message(
        raw("Content-Type: text/html\nContent-Transfer-Encoding: quoted-printable\n", body)
    )
    assert message.html == '<a href="https://x.example/view?id=4441092711&geo=105397918">Job</a>\n'


def test_a_well_formed_quoted_printable_body_decodes_every_escape() -> None:
    body = b"=46rom the team: id=3D4441 and caf=C3=A9\r\n"
    message = read_message(raw("Content-Transfer-Encoding: quoted-printable\n", body))
    assert message.text == "From the team: id=4441 and café\n"


def test_a_stray_byte_in_utf8_text_becomes_a_replacement_character() -> None:
    body = b"Z=C3=BCrich =E2 team\r\n"  # =E2 lost the rest of its sequence
    message = read_message(
        raw(
            "Content-Type: text/plain; charset=utf-8\n"
            "Content-Transfer-Encoding: quoted-printable\n",
            body,
        )
    )
    assert message.text == "Zürich \ufffd team\n"


def test_a_wrong_declared_charset_falls_back_to_one_that_decodes() -> None:
    latin = raw("Content-Type: text/plain; charset=utf-8\n", "Café – Zürich".encode("cp1252"))
    assert read_message(latin).text == "Café – Zürich"
    mislabelled = raw("Content-Type: text/plain; charset=iso-8859-1\n", "Zürich".encode())
    assert read_message(mislabelled).text == "Zürich"
    unknown = raw("Content-Type: text/plain; charset=x-no-such-charset\n", "naïve".encode())
    assert read_message(unknown).text == "naïve"
    not_text = raw("Content-Type: text/plain; charset=rot13\n", b"uryyb")
    assert read_message(not_text).text == "uryyb"


def test_a_declared_charset_that_fits_is_used() -> None:
    body = "Zürich".encode("utf-16")
    message = read_message(raw("Content-Type: text/plain; charset=utf-16\n", body))
    assert message.text == "Zürich"
    koi = raw("Content-Type: text/plain; charset=koi8-r\n", "Привет".encode("koi8-r"))
    assert read_message(koi).text == "Привет"


def test_html_charset_from_its_meta_tag_when_the_header_has_none() -> None:
    body = '<meta charset="windows-1251"><p>Работа</p>'.encode("cp1251")
    message = read_message(raw("Content-Type: text/html\n", body))
    assert message.html == '<meta charset="windows-1251"><p>Работа</p>'


def test_base64_parts_are_decoded() -> None:
    message = EmailMessage()
    message["From"] = "a@b.example"
    message.set_content("Déjà vu: a base64 part\n", cte="base64")
    assert read_message(bytes(message)).text == "Déjà vu: a base64 part\n"


def test_nested_alternative_related_and_mixed_parts() -> None:
    message = EmailMessage()
    message["From"] = "alerts@board.example"
    message.set_content("plain body\n")
    message.add_alternative("<p>html body <img src='cid:logo'></p>\n", subtype="html")
    html_part = message.get_payload()[1]
    html_part.add_related(b"\x89PNG fake", maintype="image", subtype="png", cid="<logo>")
    message.add_attachment("attached text is never read\n", filename="notes.txt")
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="cv.pdf")
    read = read_message(bytes(message))
    assert read.text == "plain body\n"
    assert read.html == "<p>html body <img src='cid:logo'></p>\n"


def test_an_html_only_message_has_no_text() -> None:
    message = EmailMessage()
    message["From"] = "alerts@board.example"
    message.set_content("<p>only html</p>", subtype="html")
    read = read_message(bytes(message))
    assert (read.text, read.html) == (None, "<p>only html</p>\n")


def test_a_message_with_no_body_part_has_neither() -> None:
    message = EmailMessage()
    message["From"] = "alerts@board.example"
    message["Subject"] = "attachment only"
    message.add_attachment("never read\n", filename="notes.txt")
    message.add_attachment(b"\x89PNG", maintype="image", subtype="png", filename="a.png")
    read = read_message(bytes(message))
    assert (read.subject, read.text, read.html) == ("attachment only", None, None)
    assert read_message(b"").text is None
    assert (
        read_message(
            raw("Content-Type: image/png\nContent-Transfer-Encoding: base64\n", b"iVBO")
        ).text
        is None
    )


def test_an_inline_text_attachment_is_not_the_body() -> None:
    message = EmailMessage()
    message["From"] = "alerts@board.example"
    message.set_content("<p>the body</p>", subtype="html")
    message.add_attachment("resume text\n", filename="resume.txt")
    read = read_message(bytes(message))
    assert read.text is None
    assert read.html == "<p>the body</p>\n"


def test_a_blank_text_part_gives_way_to_the_html_part() -> None:
    message = EmailMessage()
    message["From"] = "alerts@board.example"
    message.set_content("   \n")
    message.add_alternative("<p>real</p>", subtype="html")
    read = read_message(bytes(message))
    assert (read.text, read.html) == (None, "<p>real</p>\n")


def test_format_flowed_lines_are_joined() -> None:
    body = b"Apply: https://jobs.example.com/view/ \r\n12345 now\r\n-- \r\nsig\r\n"
    message = read_message(raw("Content-Type: text/plain; format=flowed; delsp=yes\n", body))
    assert message.text == "Apply: https://jobs.example.com/view/12345 now\n-- \nsig\n"


def test_a_huge_part_is_cut_at_the_cap_quickly() -> None:
    body = b"=E2=80=94 job=\r\n" * (MAX_PART_CHARS // 3)
    started = time.monotonic()
    message = read_message(raw("Content-Transfer-Encoding: quoted-printable\n", body))
    assert message.text is not None
    assert len(message.text) == MAX_PART_CHARS
    assert message.text.startswith("— job— job")
    assert time.monotonic() - started < 20


def test_deeply_nested_multiparts_do_not_raise() -> None:
    parts = b"".join(
        b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1)
        for i in range(3000)
    )
    deep = b"Subject: deep\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n" + parts
    message = read_message(deep + b"--b3000\r\nContent-Type: text/plain\r\n\r\nhello\r\n")
    assert message.subject == "deep"


def test_many_parts_and_headers_stay_bounded() -> None:
    headers = "".join(f"X-H{i}: {'v' * 100}\n" for i in range(5000))
    parts = b"".join(b"--b\r\nContent-Type: image/png\r\n\r\nx\r\n" for _ in range(5000))
    message = read_message(
        raw(
            headers + "Content-Type: multipart/mixed; boundary=b\n",
            parts + b"--b\r\n\r\nlate text\r\n--b--\r\n",
        )
    )
    assert len(message.headers) <= 300
    assert message.text is None  # the text part after 5,000 images is past the part cap


_PIECES = st.sampled_from(
    [
        b"From: =?utf-8?q?A?= <a@b.example>\r\n",
        b"Subject: =?x?b?====?= \xff\xfe\r\n",
        b'Content-Type: multipart/alternative; boundary="zz"\r\n',
        b'Content-Type: text/html; charset="utf-16"\r\n',
        b"Content-Type: text/plain; charset*=utf-8''%E2%82\r\n",
        b"Content-Type: text/\xff; charset=\xfe\r\n",
        b"Content-Type: text/plain; charset*0*=us-ascii'en'a; charset*1*=%ff\r\n",
        b"Content-Type: text/plain; format=flowed; delsp=\xff\r\n",
        b"Content-Transfer-Encoding: \xff\r\n",
        b"Content-Disposition: \xffinline\r\n",
        b"Date: Mon, 1 Jan 99999999999 00:00:00 +0000\r\n",
        b"Content-Transfer-Encoding: quoted-printable\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Transfer-Encoding: x-uuencode\r\n",
        b'Content-Disposition: attachment; filename="a\r\n',
        b"Date: Mon, 99 Foo 9999 99:99:99 +9999\r\n",
        b"\r\n",
        b"--zz\r\n",
        b"--zz--\r\n",
        b"=E2=8\r\n=\r\n=3D=ZZ\r\n",
        b"begin 644 x\r\n",
        b"PGh0bWw+\r\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_are_read_without_raising(data: bytes) -> None:
    message = read_message(data)
    assert message.text is None or len(message.text) <= MAX_PART_CHARS


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.binary(max_size=40)), max_size=40))
def test_any_mix_of_mime_pieces_is_read_without_raising(pieces: list[bytes]) -> None:
    message = read_message(b"".join(pieces))
    assert isinstance(message.headers, dict)


def test_a_part_that_lost_its_quoted_printable_label_is_still_decoded() -> None:
    body = b"View job: https://www.example.com/jobs/view/123/?a=3D1&b=\r\n=3D2\r\n"
    assert read_message(raw("Content-Transfer-Encoding: 7bit\n", body)).text == (
        "View job: https://www.example.com/jobs/view/123/?a=1&b=2\n"
    )
    plain = b"a = b and c=3D is text\r\n"  # no soft line break: left as it is
    assert read_message(raw("", plain)).text == "a = b and c=3D is text\n"
