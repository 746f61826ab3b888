"""Kill the sender (SIGKILL, a real subprocess) at every step of a delivery, restart it, and
count what a real SMTP server and a real webhook receiver got: no loss, no duplicate, and the
wire sees a message twice only when the kill fell between the send and its record."""

from __future__ import annotations

import pytest

from groundswell.alerts.delivery import STEPS
from tests.alert_fault_child import build_setup, run_fault_scenario, tally
from tests.alert_receivers import SmtpSink, WebhookSink


@pytest.fixture(scope="module")
def sinks():
    smtp, hooks = SmtpSink().start(), WebhookSink().start()
    yield smtp, hooks
    smtp.stop()
    hooks.stop()


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("nth", [1, 4])
def test_kill_at_each_step_loses_nothing_and_duplicates_nothing(tmp_path, sinks, step, nth):
    smtp, hooks = sinks
    smtp.clear()
    hooks.clear()
    setup = build_setup(tmp_path, smtp.port, hooks.apprise_url())
    killed = run_fault_scenario(setup, step, nth)
    result = tally(setup, smtp, hooks)
    assert killed == 1
    assert result.due == 9  # 3 reviews x (alice: email + webhook, bob: email)
    assert (result.losses, result.duplicates, result.unexpected) == (0, 0, 0)
    assert result.arrived_distinct == result.due
    if step == "sent":  # accepted by the receiver, not yet recorded: sent again, same key
        assert result.wire_redeliveries == 1
    else:
        assert result.wire_redeliveries == 0
