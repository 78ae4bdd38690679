"""The trial side of Frameworm search's trial protocol, for trials in Python.

``fwapply apply`` runs each trial of a search as a process and talks to it
through files named by ``FW_*`` environment variables (docs/protocol.md in
the Frameworm repository). This module, standard library only, is that
protocol for Python training code::

    import frameworm

    cfg = frameworm.config()                 # the whole nested config (FW_CONFIG)
    try:
        for epoch in range(1, cfg["training"]["epochs"] + 1):
            val_loss = train_one_epoch(cfg)
            frameworm.report(epoch, val_loss=val_loss)    # one progress line
    except frameworm.Pruned:
        save_checkpoint()                    # fwapply stopped the trial
        raise
    frameworm.finish(val_loss=val_loss)      # the metrics file, atomically

Contract:

- ``config()``, ``params()``, ``trial_dir()``, ``search_name()`` and
  ``trial_number()`` read ``FW_CONFIG``, ``FW_PARAMS``, ``FW_TRIAL_DIR``,
  ``FW_SEARCH`` and ``FW_TRIAL``. Outside fwapply (the variable unset or
  empty) each raises ``OutsideTrialError``, or returns its ``default=``
  argument when one is given. A file that cannot be read or parsed raises
  ``FramewormError`` naming it.
- ``report(step, **metrics)`` appends one line
  ``{"step": N, "metrics": {...}}`` (metrics sorted by name) to
  ``FW_PROGRESS`` with a single ``os.write`` on a descriptor opened with
  ``O_APPEND``, so a reader never sees a torn line other than the one being
  written, and lines of concurrent calls (threads) never interleave. Values
  must be real numbers (``bool`` is refused); NaN and infinities are kept,
  written as the bare tokens ``NaN``, ``Infinity`` and ``-Infinity`` as
  Python's json writes them and as fwapply reads them. Outside fwapply the
  line goes to standard error instead. It is safe to call from any thread.
- ``finish(**metrics)`` writes the metrics file ``FW_METRICS`` atomically
  (a temporary file in the same directory, fsync, ``os.replace``): fwapply
  sees the whole file or none. Values must be finite real numbers (JSON
  cannot hold NaN; a diverged trial should fail instead). It returns; the
  trial then exits with status 0 to complete. Outside fwapply the metrics
  are printed on standard output instead.
- Stopping: fwapply stops a trial (when its pruner prunes it, when
  ``trial.timeout`` passes, or on a second Ctrl-C of the apply) with
  SIGTERM to its process group, then SIGKILL after a grace period of 10
  seconds. The first call of ``report()`` or ``should_stop()`` installs a
  SIGTERM handler (only from the main thread, and only when SIGTERM still
  has its default action) that records the signal; from then on
  ``should_stop()`` is true and every ``report()`` raises ``Pruned``
  without writing its line. The trial should then save what it needs and
  exit promptly, well within the grace period: check ``should_stop()``
  inside an epoch that takes longer. A second SIGTERM ends the process at
  once, and a process forked after the handler was installed (a data
  loader worker) keeps SIGTERM's default action. Before the first call
  SIGTERM ends the process, as Python's default does.
"""

from __future__ import annotations

import json
import math
import numbers
import operator
import os
import signal
import sys
import tempfile
import threading
from typing import Any, Dict, Mapping, Optional, Union

__version__ = "0.1.0.dev0"

__all__ = [
    "FramewormError",
    "OutsideTrialError",
    "Pruned",
    "config",
    "finish",
    "params",
    "report",
    "search_name",
    "should_stop",
    "trial_dir",
    "trial_number",
    "MAX_PROGRESS_LINE",
]

#: The longest progress line fwapply reads, in bytes without the newline;
#: ``report()`` refuses a longer one (fwapply would skip it).
MAX_PROGRESS_LINE = 64 << 10

_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
_EXACT_INT = 1 << 53  # whole numbers up to this are exact as float64


class FramewormError(Exception):
    """A file of the trial protocol could not be read or written."""


class OutsideTrialError(FramewormError, RuntimeError):
    """The program is not running as a trial of fwapply: an ``FW_*``
    variable it needs is unset."""


class Pruned(Exception):
    """fwapply asked the trial to stop (SIGTERM): it was pruned, timed out,
    or the apply was interrupted.

    Raised by ``report()`` once the signal has arrived, instead of writing
    the line for ``step``. Catch it to save a checkpoint, then re-raise or
    exit: the trial's result is decided by fwapply, not by its exit status.
    """

    def __init__(self, step: Optional[int] = None, signum: int = signal.SIGTERM) -> None:
        self.step = step
        self.signum = int(signum)
        name = _signal_name(signum)
        if step is None:
            msg = f"fwapply stopped the trial ({name})"
        else:
            msg = f"fwapply stopped the trial ({name}) before step {step} was reported"
        super().__init__(msg)

    def __reduce__(self) -> Any:  # keeps step and signum through pickling
        return (type(self), (self.step, self.signum))


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


# ---- reading the trial's inputs ---------------------------------------------

_MISSING: Any = object()


def _env(name: str) -> Optional[str]:
    value = os.environ.get(name, "")
    return value if value else None


def _outside(name: str, what: str) -> OutsideTrialError:
    return OutsideTrialError(
        f"{name} is not set, so this program is not running as a trial of fwapply "
        f"(fwapply apply sets it); to run it by hand, pass {what}(default=...)"
    )


def _read_json_object(name: str, what: str, default: Any) -> Any:
    path = _env(name)
    if path is None:
        if default is _MISSING:
            raise _outside(name, what)
        return default
    try:
        with open(path, encoding="utf-8") as f:
            value = json.load(f)
    except OSError as e:
        raise FramewormError(f"cannot read {name} ({path}): {e.strerror or e}") from e
    except ValueError as e:  # json.JSONDecodeError, UnicodeDecodeError
        raise FramewormError(f"{name} ({path}) is not valid JSON: {e}") from e
    if not isinstance(value, dict):
        raise FramewormError(f"{name} ({path}) holds {type(value).__name__}, not a JSON object")
    return value


def config(default: Any = _MISSING) -> Dict[str, Any]:
    """The trial's whole resolved config, nested: ``base_config`` with the
    trial's params set (``FW_CONFIG``), read anew on each call.

    A whole number comes as ``int`` even for a real param (``2``, not
    ``2.0``): convert each value to the type you need (``float(x)``).
    Outside fwapply, returns ``default`` when given, else raises
    ``OutsideTrialError``.
    """
    return _read_json_object("FW_CONFIG", "config", default)


def params(default: Any = _MISSING) -> Dict[str, Any]:
    """Only the trial's sampled params, one flat object with dotted keys
    (``{"training.lr": 0.003}``, ``FW_PARAMS``), read anew on each call.

    Outside fwapply, returns ``default`` when given, else raises
    ``OutsideTrialError``.
    """
    return _read_json_object("FW_PARAMS", "params", default)


def trial_dir(default: Any = _MISSING) -> str:
    """The absolute path of the trial's own directory (``FW_TRIAL_DIR``),
    for its checkpoints and artifacts.

    Outside fwapply, returns ``default`` when given, else raises
    ``OutsideTrialError``.
    """
    path = _env("FW_TRIAL_DIR")
    if path is None:
        if default is _MISSING:
            raise _outside("FW_TRIAL_DIR", "trial_dir")
        return default
    return path


def search_name(default: Any = _MISSING) -> str:
    """The name of the search the trial belongs to (``FW_SEARCH``).

    Outside fwapply, returns ``default`` when given, else raises
    ``OutsideTrialError``.
    """
    name = _env("FW_SEARCH")
    if name is None:
        if default is _MISSING:
            raise _outside("FW_SEARCH", "search_name")
        return default
    return name


def trial_number(default: Any = _MISSING) -> int:
    """The trial's number in its search (``FW_TRIAL``).

    Outside fwapply, returns ``default`` when given, else raises
    ``OutsideTrialError``.
    """
    text = _env("FW_TRIAL")
    if text is None:
        if default is _MISSING:
            raise _outside("FW_TRIAL", "trial_number")
        return default
    try:
        return int(text)
    except ValueError:
        raise FramewormError(f"FW_TRIAL is {text!r}, not a trial number") from None


# ---- numbers ----------------------------------------------------------------


def _number(what: str, key: Any, value: Any, finite: bool) -> Union[int, float]:
    """value as a JSON-ready int or float, or TypeError/ValueError naming it."""
    if not isinstance(key, str):
        raise TypeError(f"{what} names must be strings, not {type(key).__name__} ({key!r})")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        hint = ""
        if hasattr(value, "item"):
            hint = "; pass value.item() or float(value)"
        raise TypeError(
            f"{what} {key!r} is {type(value).__name__} ({_clip(value)}), not a number{hint}"
        )
    if isinstance(value, numbers.Integral):
        n = int(value)
        if -_EXACT_INT <= n <= _EXACT_INT:
            return n
    try:
        x = float(value)
    except OverflowError:
        raise ValueError(f"{what} {key!r} is too large for a float64: {_clip(value)}") from None
    if finite and not math.isfinite(x):
        raise ValueError(
            f"{what} {key!r} is {x!r}, which JSON cannot hold; leave it out, "
            "or exit with a non-zero status to report a failed trial"
        )
    return x


def _clip(value: Any, limit: int = 40) -> str:
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the real error
        text = object.__repr__(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _collect(what: str, values: Optional[Mapping[str, Any]], kwargs: Dict[str, Any], finite: bool) -> Dict[str, Union[int, float]]:
    merged: Dict[str, Any] = {}
    if values is not None:
        if not isinstance(values, Mapping):
            raise TypeError(f"{what}s must be a mapping of names to numbers, not {type(values).__name__}")
        merged.update(values)
    for key, value in kwargs.items():
        if key in merged:
            raise ValueError(f"{what} {key!r} is given twice, in the mapping and as a keyword")
        merged[key] = value
    return {key: _number(what, key, merged[key], finite) for key in sorted(merged, key=_sort_key)}


def _sort_key(key: Any) -> str:
    return key if isinstance(key, str) else ""  # non-strings fail in _number


# ---- progress ---------------------------------------------------------------


class _Progress:
    """The progress file, opened once for appending and kept open."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.path: Optional[str] = None
        self.fd: Optional[int] = None

    def write(self, path: Optional[str], line: bytes) -> None:
        with self.lock:
            if path is None:
                sys.stderr.write(line.decode("utf-8"))
                sys.stderr.flush()
                return
            if path != self.path:
                self._close()
                flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
                try:
                    self.fd = os.open(path, flags, 0o644)
                except OSError as e:
                    raise FramewormError(f"cannot open FW_PROGRESS ({path}): {e.strerror or e}") from e
                self.path = path
            assert self.fd is not None
            try:
                n = os.write(self.fd, line)
            except OSError as e:
                raise FramewormError(f"cannot append to FW_PROGRESS ({path}): {e.strerror or e}") from e
            if n != len(line):  # only on a full disk or a quota; the line is torn
                raise FramewormError(
                    f"appending to FW_PROGRESS ({path}) wrote {n} of {len(line)} bytes; is the disk full?"
                )

    def _close(self) -> None:
        if self.fd is not None:
            try:
                os.close(self.fd)
            except OSError:
                pass
        self.fd, self.path = None, None

    def after_fork(self) -> None:
        # Another thread may have held the lock at the fork; the child has
        # only the forking thread. The descriptor stays shared (O_APPEND).
        self.lock = threading.Lock()


_progress = _Progress()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_progress.after_fork)


def report(step: int, values: Optional[Mapping[str, Any]] = None, /, **metrics: Any) -> None:
    """Append one progress line for ``step`` to ``FW_PROGRESS``:
    ``{"step": 3, "metrics": {"val_loss": 0.41}}``.

    Metrics come as keywords (``report(3, val_loss=0.41)``), as a mapping
    (``report(3, {"val/loss": 0.41})``, for names that are not identifiers),
    or both. ``step`` is a whole number (``int`` or anything with
    ``__index__``); each value a real number: ``int``, ``float`` or a numpy
    scalar, never ``bool``; NaN and infinities are kept. Pruners compare
    trials at equal steps, so report the same steps (epochs) in every trial.

    Raises ``Pruned``, without writing the line, once fwapply has sent
    SIGTERM; ``TypeError`` or ``ValueError`` for a bad step or metric (also
    for a line longer than ``MAX_PROGRESS_LINE``, which fwapply would skip);
    ``FramewormError`` when the file cannot be written. Outside fwapply (no
    ``FW_PROGRESS``) the line goes to standard error.
    """
    if isinstance(step, bool):
        raise TypeError(f"step must be a whole number, not bool ({step!r})")
    try:
        step = operator.index(step)
    except TypeError:
        raise TypeError(f"step must be a whole number, not {type(step).__name__} ({_clip(step)})") from None
    if not _INT64_MIN <= step <= _INT64_MAX:
        raise ValueError(f"step {step} is out of range for a 64-bit integer")
    checked = _collect("metric", values, metrics, finite=False)
    body = json.dumps(checked, allow_nan=True)
    line = f'{{"step": {step}, "metrics": {body}}}\n'.encode("utf-8")
    if len(line) - 1 > MAX_PROGRESS_LINE:
        raise ValueError(
            f"progress line for step {step} is {len(line) - 1} bytes; fwapply skips lines "
            f"longer than {MAX_PROGRESS_LINE} bytes, so report fewer metrics per step"
        )
    _install_handler()
    if _stop_signum is not None:
        raise Pruned(step, _stop_signum)
    _progress.write(_env("FW_PROGRESS"), line)


# ---- final metrics ----------------------------------------------------------


def finish(values: Optional[Mapping[str, Any]] = None, /, **metrics: Any) -> None:
    """Write the trial's final metrics to ``FW_METRICS``, atomically, and
    return.

    Metrics come as keywords (``finish(val_loss=0.38, val_acc=0.9)``), as a
    mapping (``finish({"val_loss": 0.38})``), or both; the search's metric
    must be among them. Each value must be a finite real number, never
    ``bool``. The file is written to a temporary file in the same
    directory, fsynced, and renamed over ``FW_METRICS``, so fwapply reads
    all of it or nothing, also after a crash. The trial then exits with
    status 0 to complete. Outside fwapply (no ``FW_METRICS``) the metrics
    are printed on standard output instead.

    Raises ``TypeError`` or ``ValueError`` for a bad or missing metric, and
    ``FramewormError`` when the file cannot be written.
    """
    checked = _collect("metric", values, metrics, finite=True)
    if not checked:
        raise ValueError("finish() needs at least the search's metric, e.g. finish(val_loss=0.38)")
    text = json.dumps(checked, indent=2, allow_nan=False) + "\n"
    path = _env("FW_METRICS")
    if path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        _write_atomic(path, text.encode("utf-8"))
    except OSError as e:
        raise FramewormError(f"cannot write FW_METRICS ({path}): {e.strerror or e}") from e


def _write_atomic(path: str, data: bytes) -> None:
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            if hasattr(os, "fchmod"):  # mkstemp makes it 0600
                os.fchmod(fd, 0o644)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _sync_dir(directory)


def _sync_dir(directory: str) -> None:
    """Make the rename durable; best effort (not every system can)."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---- stopping ---------------------------------------------------------------

_stop_signum: Optional[int] = None  # set by the handler; never reset
_handler_pid: Optional[int] = None  # the process that installed the handler
_handler_settled = False  # installed, or SIGTERM already had a handler
_handler_lock = threading.Lock()


def _on_sigterm(signum: int, frame: Any) -> None:
    global _stop_signum
    if os.getpid() != _handler_pid or _stop_signum is not None:
        # A forked child that inherited the handler, or a second signal:
        # the default action, at once.
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    _stop_signum = signum
    try:
        os.write(2, b"frameworm: got SIGTERM; the next report() raises frameworm.Pruned\n")
    except OSError:
        pass


def _install_handler() -> None:
    """Install the SIGTERM handler, once, from the main thread, when
    SIGTERM still has its default action."""
    global _handler_pid, _handler_settled
    if _handler_settled or threading.current_thread() is not threading.main_thread():
        return
    with _handler_lock:
        if _handler_settled:
            return
        try:
            if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
                _handler_pid = os.getpid()
                signal.signal(signal.SIGTERM, _on_sigterm)
        except ValueError:  # not the main interpreter
            pass
        _handler_settled = True


_fork_masks = threading.local()  # the signal mask before a fork, per thread


def _before_fork() -> None:
    # Block SIGTERM across the fork, so that one sent to the child before
    # it has reset the handler stays pending rather than being dropped by
    # Python's own after-fork bookkeeping.
    if _handler_pid == os.getpid() and hasattr(signal, "pthread_sigmask"):
        _fork_masks.old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})


def _after_fork(child: bool) -> None:
    old = getattr(_fork_masks, "old", None)
    if old is None:
        return
    _fork_masks.old = None
    if child:
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        except ValueError:  # not the main thread: _on_sigterm's pid check acts
            pass
    signal.pthread_sigmask(signal.SIG_SETMASK, old)  # a pending SIGTERM acts now


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_before_fork,
        after_in_parent=lambda: _after_fork(False),
        after_in_child=lambda: _after_fork(True),
    )


def should_stop() -> bool:
    """Whether fwapply has asked the trial to stop (SIGTERM arrived).

    The first call installs the SIGTERM handler (see the module's
    documentation), so call it once early when you mean to poll it inside
    long epochs. Once true it stays true.
    """
    _install_handler()
    return _stop_signum is not None
