"""Reminders: which are owed (pure: :func:`owed`, :func:`reminder_id`, :func:`notice`),
the notifier port (:class:`Notifier`, :class:`NotSent`), and the process that records,
sends and marks them (:func:`remind`, :func:`follow_reminders`). See ``docs/cli.md``,
"Reminders"; the e-mail and webhook notifiers are in the command-line adapter."""

from ._process import Notifier, NotSent, Run, follow_reminders, remind
from ._rules import NAMESPACE, QUIET_ITEM, Notice, Quiet, Reminder, notice, owed, quiet, reminder_id

__all__ = [
    "NAMESPACE",
    "QUIET_ITEM",
    "NotSent",
    "Notice",
    "Notifier",
    "Quiet",
    "Reminder",
    "Run",
    "follow_reminders",
    "notice",
    "owed",
    "quiet",
    "remind",
    "reminder_id",
]
