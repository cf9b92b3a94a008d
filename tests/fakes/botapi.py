"""A fake Telegram Bot API: chats, topics, members and updates in memory, served over HTTP or called directly.

It answers the methods the assistant uses the way the documented Bot API does, records every call, and lets a
test play users and coordinators, block the bot, delete a topic or make the next calls fail.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import queue
import re
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 7000
BOT_USERNAME = "oncobot_test_bot"
JSON_FIELDS = {
    "reply_markup",
    "commands",
    "scope",
    "results",
    "link_preview_options",
    "reply_parameters",
    "allowed_updates",
    "entities",
    "caption_entities",
    "button",
}
INT_FIELDS = {
    "chat_id",
    "from_chat_id",
    "message_id",
    "message_thread_id",
    "user_id",
    "offset",
    "limit",
    "timeout",
    "cache_time",
    "icon_color",
    "max_connections",
}
FLOAT_FIELDS = {"latitude", "longitude"}


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            out["parameters"] = {"retry_after": self.retry_after}
        return out


def decode(params: dict[str, Any]) -> dict[str, Any]:
    """Form fields as the Bot API reads them: JSON for objects, numbers for ids."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str) and key in JSON_FIELDS:
            value = json.loads(value)
        elif isinstance(value, str) and key in INT_FIELDS:
            value = int(value)
        elif isinstance(value, str) and key in FLOAT_FIELDS:
            value = float(value)
        elif isinstance(value, str) and value in ("true", "false") and key not in ("text", "caption", "query"):
            value = value == "true"
        out[key] = value
    return out


@dataclass
class Chat:
    id: int
    type: str
    title: str | None = None
    is_forum: bool = False
    first_name: str | None = None


@dataclass
class FakeTelegram:
    """The state of a pretend Telegram, shared by the HTTP server and the in-process request."""

    token: str = "123456:TEST"
    chats: dict[int, Chat] = field(default_factory=dict)
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    messages: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    topics: dict[int, dict[int, dict[str, Any]]] = field(default_factory=dict)
    members: dict[int, set[int]] = field(default_factory=dict)
    admins: dict[int, set[int]] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    updates: list[dict[str, Any]] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    failures: dict[str, list[ApiError]] = field(default_factory=dict)
    webhook: dict[str, Any] = field(default_factory=dict)
    arrived: dict[tuple[int, int], float] = field(default_factory=dict)  # (chat, message id) → monotonic time
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.RLock = field(default_factory=threading.RLock)
    changed: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self._lock)

    # ---- the world -----------------------------------------------------------------------------------------
    def add_user(self, user_id: int, name: str = "Amina", language: str = "fr") -> None:
        with self._lock:
            self.users[user_id] = {"id": user_id, "is_bot": False, "first_name": name, "language_code": language}
            self.chats[user_id] = Chat(user_id, "private", first_name=name)

    def add_group(self, chat_id: int, *, forum: bool, members: set[int], admins: frozenset[int] = frozenset()) -> None:
        with self._lock:
            self.chats[chat_id] = Chat(chat_id, "supergroup", title="Coordinators", is_forum=forum)
            self.members[chat_id] = set(members) | set(admins) | {BOT_ID}
            self.admins[chat_id] = set(admins)
            self.topics[chat_id] = {}

    def fail_next(self, method: str, error: ApiError, times: int = 1) -> None:
        with self._lock:
            self.failures.setdefault(method, []).extend([error] * times)

    def _chat_json(self, chat_id: int) -> dict[str, Any]:
        chat = self.chats[chat_id]
        out: dict[str, Any] = {"id": chat.id, "type": chat.type}
        if chat.title:
            out["title"] = chat.title
        if chat.first_name:
            out["first_name"] = chat.first_name
        if chat.is_forum:
            out["is_forum"] = True
        return out

    def _store(self, chat_id: int, sender: dict[str, Any], **fields: Any) -> dict[str, Any]:
        message = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": self._chat_json(chat_id),
            "from": sender,
            **{k: v for k, v in fields.items() if v is not None},
        }
        self.messages.setdefault(chat_id, []).append(message)
        self.arrived[(chat_id, message["message_id"])] = time.monotonic()
        self.changed.notify_all()
        return message

    def _push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), kind: payload}
        self.updates.append(update)
        self.changed.notify_all()
        return update

    def user_says(self, user_id: int, text: str | None = None, **extra: Any) -> dict[str, Any]:
        """A user writes to the bot in private: the message and its update."""
        with self._lock:
            message = self._store(user_id, self.users[user_id], text=text, **extra)
            return self._push("message", message)

    def user_presses(self, user_id: int, message: dict[str, Any], data: str) -> dict[str, Any]:
        with self._lock:
            query = {
                "id": str(next(self._ids)),
                "from": self.users[user_id],
                "chat_instance": "1",
                "message": message,
                "data": data,
            }
            return self._push("callback_query", query)

    def member_says(
        self,
        chat_id: int,
        user_id: int,
        text: str | None = None,
        *,
        thread: int | None = None,
        reply_to: dict[str, Any] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Someone writes in a group, in a topic or as a reply."""
        with self._lock:
            sender = self.users[user_id]
            fields: dict[str, Any] = dict(extra)
            if thread is not None:
                fields.update(message_thread_id=thread, is_topic_message=True)
            if reply_to is not None:
                fields["reply_to_message"] = reply_to
            message = self._store(chat_id, sender, text=text, **fields)
            return self._push("message", message)

    def inline(self, user_id: int, query: str) -> dict[str, Any]:
        with self._lock:
            return self._push(
                "inline_query", {"id": str(next(self._ids)), "from": self.users[user_id], "query": query, "offset": ""}
            )

    # ---- reading what happened -----------------------------------------------------------------------------
    def bot_messages(self, chat_id: int, thread: int | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                m
                for m in self.messages.get(chat_id, [])
                if m["from"]["id"] == BOT_ID and (thread is None or m.get("message_thread_id") == thread)
            ]

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [params for name, params in self.calls if name == method]

    def wait_for(self, condition: Callable[[], Any], timeout: float = 20.0) -> Any:
        """Block until `condition()` is true (the bot runs elsewhere), or fail the test."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                value = condition()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("timed out waiting for the bot")
                self.changed.wait(min(remaining, 0.2))

    # ---- the API -------------------------------------------------------------------------------------------
    def call(self, method: str, params: dict[str, Any]) -> Any:
        """Answer one Bot API method; raises ApiError like Telegram would."""
        with self._lock:
            self.calls.append((method, params))
            pending = self.failures.get(method)
            if pending:
                raise pending.pop(0)
            handler = getattr(self, f"m_{method}", None)
            if handler is None:
                raise ApiError(404, f"Not Found: method {method} not implemented by the fake")
            return handler(params)

    def m_getMe(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Oncobot",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    def m_getUpdates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(p.get("offset") or 0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        deadline = time.monotonic() + min(float(p.get("timeout") or 0), 1.0)
        while not self.updates and time.monotonic() < deadline:
            self.changed.wait(0.05)
        return list(self.updates[: int(p.get("limit") or 100)])

    def m_deleteWebhook(self, p: dict[str, Any]) -> bool:
        self.webhook = {}
        return True

    def m_setWebhook(self, p: dict[str, Any]) -> bool:
        self.webhook = dict(p)
        return True

    def m_getWebhookInfo(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}

    def m_setMyCommands(self, p: dict[str, Any]) -> bool:
        if not all(1 <= len(c["command"]) <= 32 and 1 <= len(c["description"]) <= 256 for c in p["commands"]):
            raise ApiError(400, "Bad Request: invalid command")
        return True

    def _target(self, p: dict[str, Any]) -> int:
        chat_id = int(p["chat_id"])
        if chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        thread = p.get("message_thread_id")
        if thread is not None:
            topic = self.topics.get(chat_id, {}).get(int(thread))
            if topic is None or topic.get("deleted"):
                raise ApiError(400, "Bad Request: message thread not found")
            if topic.get("closed"):
                raise ApiError(400, "Bad Request: TOPIC_CLOSED")
        return chat_id

    def _bot_user(self) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Oncobot", "username": BOT_USERNAME}

    def _extras(self, p: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if p.get("message_thread_id") is not None:
            out.update(message_thread_id=int(p["message_thread_id"]), is_topic_message=True)
        if p.get("reply_markup"):
            out["reply_markup"] = p["reply_markup"]
        reply = p.get("reply_parameters")
        if reply:
            target = self._find(int(p["chat_id"]), int(reply["message_id"]))
            if target is None and not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
            if target is not None:
                out["reply_to_message"] = {k: v for k, v in target.items() if k != "reply_to_message"}
        return out

    def _find(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        return next((m for m in self.messages.get(chat_id, []) if m["message_id"] == message_id), None)

    def m_sendMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._target(p)
        text = str(p["text"])
        visible = html.unescape(re.sub(r"<[^>]+>", "", text)) if p.get("parse_mode") == "HTML" else text
        if not visible or len(visible) > 4096:
            raise ApiError(400, "Bad Request: message is too long" if text else "Bad Request: message text is empty")
        return self._store(chat_id, self._bot_user(), text=text, parse_mode=p.get("parse_mode"), **self._extras(p))

    def m_sendVenue(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._target(p)
        venue = {
            "location": {"latitude": p["latitude"], "longitude": p["longitude"]},
            "title": p["title"],
            "address": p["address"],
        }
        return self._store(chat_id, self._bot_user(), venue=venue, **self._extras(p))

    def m_copyMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._target(p)
        source = self._find(int(p["from_chat_id"]), int(p["message_id"]))
        if source is None:
            raise ApiError(400, "Bad Request: message to copy not found")
        content = {
            k: v
            for k, v in source.items()
            if k in ("text", "photo", "document", "voice", "caption", "sticker", "location", "video")
        }
        copy = self._store(
            chat_id,
            self._bot_user(),
            copied_from=[source["chat"]["id"], source["message_id"]],
            **content,
            **self._extras(p),
        )
        return {"message_id": copy["message_id"]}

    def m_editMessageText(self, p: dict[str, Any]) -> dict[str, Any]:
        message = self._find(int(p["chat_id"]), int(p["message_id"]))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message.get("text") == p["text"] and message.get("reply_markup") == p.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        message["text"] = p["text"]
        message["reply_markup"] = p.get("reply_markup")
        message["edited"] = message.get("edited", 0) + 1
        self.changed.notify_all()
        return message

    def m_editMessageReplyMarkup(self, p: dict[str, Any]) -> dict[str, Any]:
        message = self._find(int(p["chat_id"]), int(p["message_id"]))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        message["reply_markup"] = p.get("reply_markup")
        self.changed.notify_all()
        return message

    def m_deleteMessage(self, p: dict[str, Any]) -> bool:
        chat_id = int(p["chat_id"])
        before = len(self.messages.get(chat_id, []))
        self.messages[chat_id] = [m for m in self.messages.get(chat_id, []) if m["message_id"] != int(p["message_id"])]
        return len(self.messages[chat_id]) < before

    def m_answerCallbackQuery(self, p: dict[str, Any]) -> bool:
        return True

    def m_answerInlineQuery(self, p: dict[str, Any]) -> bool:
        return True

    def m_getChat(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(p["chat_id"])
        if chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        return {
            **self._chat_json(chat_id),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def m_getChatMember(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = int(p["chat_id"]), int(p["user_id"])
        user = self.users.get(user_id, {"id": user_id, "is_bot": False, "first_name": "Someone"})
        if user_id in self.admins.get(chat_id, set()):
            rights = [
                "can_be_edited",
                "is_anonymous",
                "can_manage_chat",
                "can_delete_messages",
                "can_manage_video_chats",
                "can_restrict_members",
                "can_promote_members",
                "can_change_info",
                "can_invite_users",
                "can_post_stories",
                "can_edit_stories",
                "can_delete_stories",
            ]
            return {"status": "administrator", "user": user, **dict.fromkeys(rights, False)}
        if user_id in self.members.get(chat_id, set()):
            return {"status": "member", "user": user}
        return {"status": "left", "user": user}

    def _topic(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(p["chat_id"])
        if not self.chats[chat_id].is_forum:
            raise ApiError(400, "Bad Request: the chat is not a forum")
        topic = self.topics[chat_id].get(int(p["message_thread_id"]))
        if topic is None or topic.get("deleted"):
            raise ApiError(400, "Bad Request: TOPIC_ID_INVALID")
        return topic

    def m_createForumTopic(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(p["chat_id"])
        if not self.chats[chat_id].is_forum:
            raise ApiError(400, "Bad Request: the chat is not a forum")
        if not 1 <= len(p["name"]) <= 128:
            raise ApiError(400, "Bad Request: TOPIC_NAME_INVALID")
        created = self._store(chat_id, self._bot_user(), forum_topic_created={"name": p["name"], "icon_color": 0})
        thread = created["message_id"]
        created.update(message_thread_id=thread, is_topic_message=True)
        self.topics[chat_id][thread] = {"name": p["name"], "closed": False, "deleted": False}
        return {"message_thread_id": thread, "name": p["name"], "icon_color": 7322096}

    def m_editForumTopic(self, p: dict[str, Any]) -> bool:
        topic = self._topic(p)
        if "name" in p:
            if not 1 <= len(p["name"]) <= 128:
                raise ApiError(400, "Bad Request: TOPIC_NAME_INVALID")
            topic["name"] = p["name"]
        return True

    def m_closeForumTopic(self, p: dict[str, Any]) -> bool:
        self._topic(p)["closed"] = True
        return True

    def m_reopenForumTopic(self, p: dict[str, Any]) -> bool:
        self._topic(p)["closed"] = False
        return True

    def m_deleteForumTopic(self, p: dict[str, Any]) -> bool:
        self._topic(p)["deleted"] = True
        chat_id, thread = int(p["chat_id"]), int(p["message_thread_id"])
        self.messages[chat_id] = [m for m in self.messages.get(chat_id, []) if m.get("message_thread_id") != thread]
        return True

    def m_close(self, p: dict[str, Any]) -> bool:
        return True

    def m_logOut(self, p: dict[str, Any]) -> bool:
        return True


def answer(fake: FakeTelegram, method: str, params: dict[str, Any]) -> tuple[int, bytes]:
    """One call as Telegram's HTTP answer: status code and JSON body."""
    try:
        result = fake.call(method, decode(params))
    except ApiError as exc:
        return exc.code, json.dumps(exc.body()).encode()
    return 200, json.dumps({"ok": True, "result": result}).encode()


class FakeBotApiServer:
    """The fake served over HTTP on 127.0.0.1, in a thread of its own, at http://127.0.0.1:PORT/bot<token>/<method>."""

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._pushing = threading.Event()
        self._holding = False  # calls wait unanswered (see hold)
        self._dropped = 0  # bumped to refuse the calls held so far: they never reached Telegram

    def hold(self) -> None:
        """Calls of the bot from now on wait unanswered (getUpdates excepted), as on a slow network."""
        self._holding = True

    def release(self, *, drop: bool) -> None:
        """Answer the held calls, or (drop) refuse them unprocessed, as requests that never reached Telegram."""
        if drop:
            self._dropped += 1
        self._holding = False

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.fake.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        if request.content_type == "application/json":
            params = await request.json()
        elif request.can_read_body:
            params = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        params.update(request.query)
        if self._holding and method != "getUpdates":
            ticket = self._dropped
            while self._holding:
                await asyncio.sleep(0.005)
            if ticket != self._dropped:
                return web.json_response({"ok": False, "error_code": 502, "description": "Bad Gateway"}, status=502)
        # getUpdates long-polls: wait off the event loop so other calls are served meanwhile.
        status, body = await asyncio.get_running_loop().run_in_executor(None, answer, self.fake, method, params)
        return web.Response(status=status, body=body, content_type="application/json")

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]

    def start(self) -> FakeBotApiServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def push_webhook(self, connections: int = 4) -> None:
        """Like Telegram in webhook mode: post each update to the webhook set, again and again until it gets 200."""
        pending: queue.Queue[dict[str, Any]] = queue.Queue()
        self.pushed: list[tuple[int, float]] = []  # (update id, when it was accepted)

        def feed() -> None:
            sent = 0
            while not self._pushing.is_set():
                with self.fake._lock:
                    fresh = self.fake.updates[sent:]
                    sent = len(self.fake.updates)
                for update in fresh:
                    pending.put(update)
                time.sleep(0.01)

        def post() -> None:
            while not self._pushing.is_set():
                try:
                    update = pending.get(timeout=0.1)
                except queue.Empty:
                    continue
                hook = self.fake.webhook
                request = urllib.request.Request(
                    str(hook.get("url", "")),
                    data=json.dumps(update).encode(),
                    method="POST",
                    headers={
                        "Content-Type": "application/json",
                        "X-Telegram-Bot-Api-Secret-Token": str(hook.get("secret_token", "")),
                    },
                )
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        ok = response.status == 200
                except (OSError, ValueError):
                    ok = False
                if ok:
                    self.pushed.append((update["update_id"], time.monotonic()))
                else:
                    time.sleep(0.1)
                    pending.put(update)  # Telegram tries again later

        for target in (feed, *([post] * connections)):
            threading.Thread(target=target, daemon=True).start()

    def stop(self) -> None:
        self._pushing.set()
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
