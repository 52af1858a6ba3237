"""Webhook operations: where a project's webhooks go, trigger an event, the delivery log, redelivery."""

from __future__ import annotations

from typing import Any

from ..domain import events
from ..domain.errors import InvalidInput
from ..webhooks.delivery import Delivery, Endpoint, check_url
from ..webhooks.signing import check_secret
from .base import Core, operation
from .journal import recorded


class WebhookControl(Core):
    def endpoint(self, project_id: str) -> Endpoint:
        """Where a project's webhooks go (the dispatcher asks, under the lock)."""
        return self.endpoints.get(project_id) or Endpoint(self.settings.webhook_url, self.settings.webhook_secret)

    @operation
    def webhook_config(self, project_id: str | None = None) -> tuple[str, Endpoint]:
        """(the project, where its webhooks go); the default project when none is named."""
        project = self.project(project_id)
        return project, self.endpoint(project)

    @operation
    @recorded
    def configure_webhooks(
        self, project_id: str | None = None, url: str | None = None, secret: str | None = None,
        verify: bool | None = None,
    ) -> Endpoint:
        """Set one project's webhook URL and/or secret (the default project when none is named).

        A new URL gets a `webhook_verification` probe, as Paragon sends when a URL is saved
        (`verify`, by default the `webhook_verification` setting)."""
        if url:
            problem = check_url(url)
            if problem:
                raise InvalidInput("url", problem)
        if secret:
            problem = check_secret(secret)
            if problem:
                raise InvalidInput("secret", problem)
        project = self.project(project_id)
        current = self.endpoint(project)
        self.endpoints[project] = Endpoint(url if url is not None else current.url, secret or current.secret)
        if url and (verify if verify is not None else self.settings.webhook_verification):
            self.events.emit(events.WebhookVerification(), self.clock.now(), events.Endpoint(project))
        return self.endpoints[project]

    @operation
    @recorded
    def trigger(self, sync_id: str, event_type: str, record_id: str | None = None, message: str | None = None) -> Delivery:
        """Make a sync emit an event now, like `stripe trigger` (a test of your receiver)."""
        sync = self.syncs.find(sync_id)
        now = self.clock.now()
        if event_type not in events.KINDS:
            raise InvalidInput("event", f"unknown event '{event_type}'; one of {', '.join(events.KINDS)}")
        what: events.What
        if event_type == "sync_complete":
            what = events.SyncComplete(sync.pipeline, now, sync.records.active)
        elif event_type == "sync_errored":
            what = events.SyncErrored(message or "Triggered from the emulator's control plane")
        else:
            live = sync.records.live()
            target = record_id or (live[0].id if live else None)
            if target is None:
                raise InvalidInput("recordId", f"sync {sync.id} has no records; give a recordId")
            if event_type == "record_errored":
                what = events.RecordErrored(message or "Triggered record error", target, sync.pipeline)
            else:
                what = events.KINDS[event_type](target, sync.pipeline)  # type: ignore[call-arg]
        event = self.events.emit(what, now, sync)
        return self.webhooks.of(event)

    @operation
    def webhook_log(self, sync_id: str | None = None, type_: str | None = None, status: str | None = None) -> list[Delivery]:
        """The deliveries kept (event, status, attempts), oldest first, optionally filtered."""
        return [
            d for d in self.webhooks.log
            if (not sync_id or d.event.sync_id == sync_id) and (not type_ or d.event.type == type_)
            and (not status or d.status == status)
        ]

    @operation
    def redeliver(self, event_id: str) -> Delivery:
        return self.webhooks.redeliver(event_id)

    @operation
    def event_log(self) -> list[Any]:
        return self.events.log
