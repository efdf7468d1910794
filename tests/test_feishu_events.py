"""What reaches /feishu/events: verified with the real algorithms (the docs' AES vector included), refused
with 401 when forged, stale or unsigned, answered at once, and each event handled once."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.feishu import verify
from tests.chat_harness import running
from tests.fakes import feishu as lark
from tests.fakes.feishu import FakeFeishu

KEY = "an-encrypt-key-0123456789"


def test_the_docs_aes_vector_decrypts_with_the_sdks_cipher() -> None:
    vector = lark.fixture("crypto_test_vector.docs.json")
    assert verify.decrypt(vector["encrypt"], vector["encrypt_key"]) == vector["plaintext"].encode()
    with pytest.raises(verify.Refused):
        verify.decrypt(vector["encrypt"], "another key")  # the padding check fails: never garbage as JSON
    ours = lark.encrypt(b'{"a": 1}', vector["encrypt_key"])
    assert verify.decrypt(ours, vector["encrypt_key"]) == b'{"a": 1}'


def test_a_request_lark_oapi_accepted_is_accepted_here_too() -> None:
    meta = lark.fixture("GENERATED_event_encrypted_signed.meta.json")
    body = (lark.FIXTURES / meta["body_file"]).read_bytes()
    headers, key = meta["headers"], meta["encrypt_key"]
    verify.check_signature(headers, body, key, now=float(headers[verify.TIMESTAMP]) + 60)
    with pytest.raises(verify.Refused, match="stale"):  # as it would arrive today: years late
        verify.open_body(headers, body, key)
    plain = verify.decrypt(json.loads(body)["encrypt"], key)
    assert json.loads(plain) == lark.fixture(meta["plaintext_file"])


def test_a_signature_is_over_timestamp_nonce_key_and_the_raw_body() -> None:
    body, headers = lark.request(lark.envelope("im.message.receive_v1", {}), KEY)
    verify.check_signature(headers, body, KEY)
    for broken in ({**headers, verify.SIGNATURE: "0" * 64}, {**headers, verify.NONCE: "other"},
                   {k: v for k, v in headers.items() if k != verify.SIGNATURE}):
        with pytest.raises(verify.Refused):
            verify.check_signature(broken, body, KEY)
    with pytest.raises(verify.Refused, match="stale"):
        verify.check_signature(headers, body, KEY, now=time.time() + 301)


@pytest.mark.parametrize("mode", ["plain", "encrypted"])
async def test_the_challenge_is_answered_and_a_wrong_token_refused(env: dict, feishu_env: dict, feishu: FakeFeishu,
                                                                   monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    key = KEY if mode == "encrypted" else None
    if key:
        monkeypatch.setenv("FEISHU_ENCRYPT_KEY", key)
    async with running() as h:
        body, headers = lark.request(lark.challenge(code="c-123"), key, sign=False)  # Feishu signs no challenge
        good = await h.http.post("/feishu/events", content=body, headers=headers)
        body, headers = lark.request(lark.challenge(token="forged", code="c-123"), key)
        forged = await h.http.post("/feishu/events", content=body, headers=headers)
    assert good.status_code == 200 and good.json() == {"challenge": "c-123"}
    assert forged.status_code == 401 and "c-123" not in forged.text


async def test_forged_stale_and_undecryptable_events_are_401(env: dict, feishu_env: dict, feishu: FakeFeishu,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("FEISHU_ENCRYPT_KEY", KEY)
    payload = lark.envelope("im.message.receive_v1", lark.message_event(lark.chat_id(1), "/help", "ou_x"))
    async with running() as h:
        async def post(body: bytes, headers: dict[str, str]) -> int:
            return (await h.http.post("/feishu/events", content=body, headers=headers)).status_code

        body, headers = lark.request(payload, KEY)
        codes = [
            await post(body, {**headers, "X-Lark-Signature": "f" * 64}),  # forged signature
            await post(*lark.request(payload, KEY, timestamp=time.time() - 400)),  # stale
            await post(*lark.request(payload, KEY, sign=False)),  # unsigned
            await post(*lark.request(payload, "some other key")),  # encrypted with another key
            await post(*lark.request(payload)),  # plain although the app encrypts
            await post(*lark.request({**payload, "header": {**payload["header"], "token": "nope"}}, KEY)),
            await post(b"not json", headers),
        ]
        assert codes == [401] * 7
        assert await post(body, headers) == 200  # the genuine one
    refusals = [r.getMessage() for r in caplog.records if "refused a request" in r.getMessage()]
    assert len(refusals) == 7 and all(KEY not in line for line in refusals)


async def test_a_plain_event_needs_the_token_and_a_fresh_timestamp(env: dict, feishu_env: dict,
                                                                   feishu: FakeFeishu) -> None:
    payload = lark.envelope("im.message.reaction.created_v1", lark.reaction_event("om_x", "THUMBSUP", "ou_x"))
    async with running() as h:
        stale = await h.http.post("/feishu/events", content=json.dumps(payload),
                                  headers={"X-Lark-Request-Timestamp": str(int(time.time()) - 3600)})
        fresh = await h.http.post("/feishu/events", content=json.dumps(payload))
    assert stale.status_code == 401 and fresh.status_code == 200


async def test_events_are_answered_before_the_work_is_done(env: dict, feishu_env: dict, feishu: FakeFeishu) -> None:
    chat = lark.chat_id(2)
    feishu.latency = 1.0  # every Feishu API call takes a second: the answer to Feishu must not wait for them
    async with running() as h:
        event = feishu.heard(lark.message_event(chat, "/threshold 55", "ou_" + "e" * 32))
        body, headers = lark.request(lark.envelope("im.message.receive_v1", event))
        started = time.monotonic()
        answer = await h.http.post("/feishu/events", content=body, headers=headers)
        took = time.monotonic() - started
        await h.adapters["feishu"].inbound.background.settle()
    assert answer.status_code == 200 and took < 0.5, f"{took:.2f} s"
    assert "Only chat administrators" in feishu.in_chat(chat)[0]["content"]["text"]  # asked chat.get after


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner,
                                                                                       max_size=4), max_leaves=12)
texts = st.sampled_from(["/help", "@_user_1 /status", "@_user_1 /threshold 70", "@_user_2 hi"]) | st.text(max_size=20)
message = st.fixed_dictionaries({}, optional={
    "message_type": st.just("text") | json_values, "chat_type": st.sampled_from(["p2p", "group"]) | json_values,
    "content": st.builds(lambda t: json.dumps({"text": t}), texts) | st.builds(json.dumps, json_values) | json_values,
    "mentions": st.lists(st.fixed_dictionaries({"key": st.sampled_from(["@_user_1", "@_user_2"]) | json_values,
                                                "id": st.just({"open_id": lark.BOT_OPEN_ID}) | json_values}),
                         max_size=2) | json_values,
    "chat_id": json_values, "message_id": json_values, "parent_id": json_values, "thread_id": json_values})
event_like = st.fixed_dictionaries({}, optional={
    "message": message | json_values, "sender": json_values,
    "reaction_type": st.just({"emoji_type": "THUMBSUP"}) | json_values,
    "user_id": st.just({"open_id": "ou_x"}) | json_values, "message_id": json_values, "operator_type": json_values,
    "action": st.just({"value": {"paperbot": "vote", "index": 1}}) | json_values,
    "context": json_values, "operator": json_values})


@settings(max_examples=300, deadline=None)
@given(event=event_like, added=st.booleans())
def test_any_event_shape_is_read_or_ignored_never_a_crash(event: dict, added: bool) -> None:
    from bot.feishu import translate

    translate.command(event, lark.BOT_OPEN_ID)
    translate.reaction(event, added)
    translate.button(event)
