# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import contextlib
import hashlib
import hmac
import json
import logging
import secrets
from datetime import datetime, timezone

from easypost.errors import SignatureVerificationError
from easypost.util import validate_webhook

from odoo import http
from odoo.http import request

from .inputs import NOT_XML

_logger = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
# events in one request of our format (a JSON array of them)
MAX_EVENTS = 100
STATUSES = ("on_the_way", "delivered", "returned")
# EasyPost tracker statuses -> our steps (others are recorded without a step)
EASYPOST_STATUSES = {
    "in_transit": "on_the_way",
    "out_for_delivery": "on_the_way",
    "delivered": "delivered",
    "return_to_sender": "returned",
}


class WebhookError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class EcrmCarrierWebhook(http.Controller):
    """Carrier tracking events: ``POST /ecrm/tracking/<carrier id>`` (our JSON,
    one event or an array of them, signed ``X-Ecrm-Signature: sha256=<hex
    HMAC-SHA256 of the body>``) and
    ``.../easypost`` (EasyPost's tracker events, signed as EasyPost signs).
    The signature is checked before anything is looked up (401 before 404),
    an event applies once (the same event again changes nothing), and any
    failure answers a JSON error with nothing written."""

    def _reply(self, status, payload):
        return request.make_json_response(payload, status=status)

    def _body(self):
        # Decided on the declared length, before reading: a longer body is
        # not read at all, and a body without one (chunked) could be of any
        # length (werkzeug would read all of it).
        length = request.httprequest.content_length
        if length is None:
            raise WebhookError(411, "Content-Length is required")
        if length > MAX_BODY:
            raise WebhookError(413, "body too large")
        return request.httprequest.get_data(cache=True)

    @staticmethod
    def _verify_ours(secret, body, headers):
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        # bytes: compare_digest refuses str that is not ASCII
        given = (headers.get("X-Ecrm-Signature") or "").strip().encode()
        if not hmac.compare_digest(given, f"sha256={expected}".encode()):
            raise WebhookError(401, "bad or missing signature")
        try:
            return json.loads(body)
        except ValueError as e:
            raise WebhookError(400, "malformed JSON") from e

    @staticmethod
    def _verify_easypost(secret, body, headers):
        # EasyPost's check compares str, which must be ASCII
        if not (headers.get("X-Hmac-Signature") or "").isascii():
            raise WebhookError(401, "bad or missing signature")
        try:
            return validate_webhook(body, headers, secret)
        except SignatureVerificationError as e:
            raise WebhookError(401, "bad or missing signature") from e
        except ValueError as e:
            raise WebhookError(400, "malformed JSON") from e

    def _deliveries(self, carrier, refs):
        """The carrier's tracked customer delivery of each of ``refs``, one query."""
        deliveries = {}
        for delivery in (
            request.env["stock.picking"]
            .sudo()
            .search_fetch(
                [
                    ("carrier_id", "=", carrier.id),
                    ("carrier_tracking_ref", "in", list(refs)),
                    ("picking_type_code", "=", "outgoing"),
                    ("ecrm_tracking_state", "!=", False),
                ],
                [
                    "carrier_tracking_ref",
                    "ecrm_tracking_state",
                    "sale_id",
                    "company_id",
                ],
            )
        ):
            deliveries.setdefault(delivery.carrier_tracking_ref, delivery)
        return deliveries

    @staticmethod
    def _date(value):
        try:
            when = datetime.fromisoformat(value)
        except (TypeError, ValueError) as e:
            raise WebhookError(400, "event_time must be ISO 8601 with an offset") from e
        if when.tzinfo is None:
            raise WebhookError(400, "event_time must be ISO 8601 with an offset")
        try:
            return when.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError as e:  # 0001-01-01T00:00:00+01:00 is before year 1
            raise WebhookError(400, "event_time is out of range") from e

    def _apply(self, carrier_id, verify, parse, batches=False):
        """``batches``: the body may also be a JSON array of events (at most
        ``MAX_EVENTS``), applied in their order, all or none: a failing event
        answers for the whole batch, named by its index."""
        try:
            body = self._body()
            # one query: the carrier (archived too) and its secret only
            carrier = (
                request.env["delivery.carrier"]
                .sudo()
                .with_context(active_test=False)
                .search_fetch([("id", "=", carrier_id)], ["ecrm_webhook_secret"])
            )
            # an unknown carrier is checked against a random key: the same work
            # and the same 401, so that the route tells nothing about carriers
            secret = carrier.ecrm_webhook_secret or secrets.token_hex(32)
            data = verify(secret, body, request.httprequest.headers)
            batch = batches and isinstance(data, list)
            if batch and not 0 < len(data) <= MAX_EVENTS:
                raise WebhookError(400, f"a batch holds 1 to {MAX_EVENTS} events")
            events = []
            for index, item in enumerate(data if batch else [data]):
                with self._naming(batch, index):
                    events.append(self._parse(parse, item))
            if not carrier:
                raise WebhookError(404, "unknown carrier")
            deliveries = self._deliveries(carrier, {event[0] for event in events})
            for index, event in enumerate(events):
                with self._naming(batch, index):
                    if event[0] not in deliveries:
                        raise WebhookError(404, "unknown tracking reference")
            for tracking_ref, state, when, note in events:
                delivery = deliveries[tracking_ref]
                if state:
                    delivery._ecrm_apply_tracking(state, "carrier", when, note or False)
                else:
                    _logger.info("carrier event without a step for %s", delivery.name)
        except WebhookError as e:
            return self._reply(e.status, {"error": e.message})
        return self._reply(200, {"ok": True})

    @staticmethod
    @contextlib.contextmanager
    def _naming(batch, index):
        """In a batch, an event's error names the event."""
        try:
            yield
        except WebhookError as e:
            if batch:
                e.message = f"event {index}: {e.message}"
            raise

    @staticmethod
    def _parse(parse, data):
        if not isinstance(data, dict):
            raise WebhookError(400, "a JSON object is expected")
        tracking_ref, state, when, note = parse(data)
        if not isinstance(tracking_ref, str) or not tracking_ref.strip():
            raise WebhookError(400, "tracking_ref is required")
        # NUL is refused by PostgreSQL, the others by the portal's pages
        for name, text in (("tracking_ref", tracking_ref), ("note", note)):
            if NOT_XML.search(text):
                raise WebhookError(400, f"{name} holds control characters")
        return tracking_ref.strip(), state, when, note

    def _parse_ours(self, data):
        status = data.get("status")
        if status not in STATUSES:
            raise WebhookError(400, f"status must be one of {', '.join(STATUSES)}")
        note = data.get("note")
        if note is not None and not isinstance(note, str):
            raise WebhookError(400, "note must be a string")
        return (
            data.get("tracking_ref"),
            status,
            self._date(data.get("event_time")),
            (note or "")[:500],
        )

    def _parse_easypost(self, data):
        result = data.get("result")
        if data.get("description") != "tracker.updated" or not isinstance(result, dict):
            raise WebhookError(400, "a tracker.updated event is expected")
        details = result.get("tracking_details") or []
        last = details[-1] if isinstance(details, list) and details else {}
        when = (last.get("datetime") if isinstance(last, dict) else None) or result.get(
            "updated_at"
        )
        note = last.get("message") if isinstance(last, dict) else None
        status = result.get("status")
        if not isinstance(status, str | None):
            raise WebhookError(400, "status must be a string")
        return (
            result.get("tracking_code"),
            EASYPOST_STATUSES.get(status),
            self._date(when),
            note if isinstance(note, str) else "",
        )

    @http.route(
        "/ecrm/tracking/<int:carrier_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def ecrm_tracking(self, carrier_id, **kw):
        return self._apply(
            carrier_id, self._verify_ours, self._parse_ours, batches=True
        )

    @http.route(
        "/ecrm/tracking/<int:carrier_id>/easypost",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def ecrm_tracking_easypost(self, carrier_id, **kw):
        return self._apply(carrier_id, self._verify_easypost, self._parse_easypost)
