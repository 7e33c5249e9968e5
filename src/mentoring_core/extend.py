"""What an adapter author needs beyond the public API (``docs/api.md``, "Extending").

A storage adapter (such as ``mentoring-core-postgres``) registers a
:class:`StoreBackend` object under the entry-point group ``mentoring_core.stores``, one
per URL scheme. Its recorder is a :class:`ChainedRecorder`: it stores the hash chain in
its own table (:data:`CHAIN_TABLE`), in the same transaction as the events, computing
the links with :class:`ChainLinker` (which refuses what would bypass the chain) and
reading them back with :func:`chain_row` (a damaged one is a :class:`DamagedRow`); with
its write lock held, it checks that what the decision read of other aggregates is still
as read (:func:`check_read_versions`, :data:`READ_VERSIONS_KWARG`: else
:class:`ReadVersionMoved`, and nothing is stored), and its class says so
(``checks_read_versions = True``: a store whose recorder does not is refused).
It may read the log and an aggregate's events quicker than eventsourcing does, with
eventsourcing's conditions (:func:`log_page_filter`, :func:`versions_filter`) and
records (:func:`notifications_of`, :func:`events_of`).
Its compliance read model is a :class:`ComplianceView` over the rows
:class:`StoredFacts`, in tables named after the application (:data:`APPLICATION_NAME`)
and :data:`FACTS_TABLE` / :data:`TRACKING_TABLE`, saved with the position
(``save_facts``) or ahead of it (``save_rows``), never over a row of a higher version;
a position that is not past the stored one is refused with :func:`stale_position`.
Its :class:`KeyStore` keeps people's data keys (rows :class:`PersonKey`) in the table
:data:`KEYS_TABLE`, each made with :func:`new_key`; person ids are checked with
:func:`check_person`, and a key table lost while events hold sealed fields (marker
:data:`MARK`) is refused with :func:`lost_keys_message`; ``restore`` keeps a row by the
rule :func:`restore_wins` writes in SQL (a destroyed key always wins, a live key wins
over a withheld one).

An interface adapter (the command line, an HTTP API) tells programmes from
relationships, and lists each kind's events, through :data:`KINDS` and
:func:`kind_of`; each kind is a :class:`Decider`, whose folds give the :data:`Changes`
an event makes (a growing field's new item as :class:`Added`, an item of it changed by
id as :class:`Replaced`). It reads values given as JSON (a
policy, a schedule) with the library's one cattrs :data:`CONVERTER`, and creates a key
file with :func:`create_file`: whole or not at all, owner-only, never over another
(:func:`fsync_folder` flushes a folder's new entries to disk). It reads JSON from
outside (a request's body, a token, a JWKS, a policy file) with :func:`read_json`, which
refuses an object naming a member twice (:class:`NamedTwice`) and a number readers take
differently (:class:`UnreadableNumber`: ``NaN``, ``1e400``), as the import does.
"""

from ._new_files import create_file, fsync_folder
from ._strict_json import NamedTwice, UnreadableNumber, read_json
from .audit.recorders import (
    CHAIN_TABLE,
    COMMAND_INDEX,
    NOTED_TABLE,
    POSITIONS_KWARG,
    READ_VERSIONS_KWARG,
    AggregateSpan,
    ChainedRecorder,
    ChainLinker,
    ChainRow,
    DamagedRow,
    ReadVersionMoved,
    RecordHead,
    chain_row,
    check_read_versions,
    events_of,
    given_command_ids,
    log_page_filter,
    loose_event,
    notifications_of,
    spans_of,
    versions_filter,
)
from .domain.decider import Added, Changes, Decider, Replaced
from .domain.errors import shown
from .domain.kinds import KINDS, kind_named, kind_of
from .domain.validation import check_not_future, composed_spelling
from .privacy.keys import (
    KEYS_TABLE,
    KeyStore,
    PersonKey,
    check_person,
    lost_keys_message,
    new_key,
    polled,
    restore_wins,
)
from .privacy.sealing import MARK
from .serialisation import CONVERTER
from .store import (
    APPLICATION_NAME,
    FACTS_TABLE,
    TRACKING_TABLE,
    ComplianceView,
    Held,
    Listener,
    Store,
    StoreBackend,
    StoredFacts,
    stale_position,
)

__all__ = [
    "APPLICATION_NAME",
    "CHAIN_TABLE",
    "COMMAND_INDEX",
    "CONVERTER",
    "FACTS_TABLE",
    "KEYS_TABLE",
    "KINDS",
    "MARK",
    "NOTED_TABLE",
    "POSITIONS_KWARG",
    "READ_VERSIONS_KWARG",
    "TRACKING_TABLE",
    "Added",
    "AggregateSpan",
    "ChainLinker",
    "ChainRow",
    "ChainedRecorder",
    "Changes",
    "ComplianceView",
    "DamagedRow",
    "Decider",
    "Held",
    "KeyStore",
    "Listener",
    "NamedTwice",
    "PersonKey",
    "ReadVersionMoved",
    "RecordHead",
    "Replaced",
    "Store",
    "StoreBackend",
    "StoredFacts",
    "UnreadableNumber",
    "chain_row",
    "check_not_future",
    "check_person",
    "check_read_versions",
    "composed_spelling",
    "create_file",
    "events_of",
    "fsync_folder",
    "given_command_ids",
    "kind_named",
    "kind_of",
    "log_page_filter",
    "loose_event",
    "lost_keys_message",
    "new_key",
    "notifications_of",
    "polled",
    "read_json",
    "restore_wins",
    "shown",
    "spans_of",
    "stale_position",
    "versions_filter",
]
