"""Tests of the frameworm trial helper; standard library only.

Run from python/:  python3 -m unittest discover -s tests -v
The tests import the frameworm package of this checkout (python/frameworm),
not an installed one.
"""

from __future__ import annotations

import fractions
import io
import json
import math
import os
import pickle
import select
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from typing import Dict, Iterator, List, Optional
from unittest import mock

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, PYTHON_DIR)

import frameworm  # noqa: E402

FW_VARS = ("FW_TRIAL_DIR", "FW_CONFIG", "FW_PARAMS", "FW_METRICS", "FW_PROGRESS", "FW_SEARCH", "FW_TRIAL")

# How long a test waits for a child process before failing: generous, the
# machine is shared.
WAIT = 60.0


@contextmanager
def environment(**values: str) -> Iterator[None]:
    """os.environ without any FW_* variable, then with values set."""
    with mock.patch.dict(os.environ):
        for name in FW_VARS:
            os.environ.pop(name, None)
        os.environ.update(values)
        yield


class TrialDir:
    """A trial directory prepared as fwapply prepares one."""

    def __init__(self, config: Optional[dict] = None, params: Optional[dict] = None) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.dir = self._tmp.name
        self.config = os.path.join(self.dir, "config.json")
        self.params = os.path.join(self.dir, "params.json")
        self.metrics = os.path.join(self.dir, "metrics.json")
        self.progress = os.path.join(self.dir, "progress.jsonl")
        with open(self.config, "w") as f:
            json.dump(config if config is not None else {}, f, indent=2, sort_keys=True)
        with open(self.params, "w") as f:
            json.dump(params if params is not None else {}, f, indent=2, sort_keys=True)
        open(self.progress, "w").close()

    def env(self) -> Dict[str, str]:
        return {
            "FW_TRIAL_DIR": self.dir,
            "FW_CONFIG": self.config,
            "FW_PARAMS": self.params,
            "FW_METRICS": self.metrics,
            "FW_PROGRESS": self.progress,
            "FW_SEARCH": "py",
            "FW_TRIAL": "7",
        }

    def progress_text(self) -> str:
        with open(self.progress, encoding="utf-8") as f:
            return f.read()

    def cleanup(self) -> None:
        self._tmp.cleanup()


def read_progress(text: str) -> List[dict]:
    """The progress lines as fwapply's reader (runtime.ReadProgress) takes
    them: complete lines only, a torn last line left out, bare NaN and
    Infinity accepted, each line an object with an integer step."""
    lines = []
    for raw in text.split("\n")[:-1]:
        if not raw.strip():
            continue
        obj = json.loads(raw)  # accepts NaN, Infinity, -Infinity, as the Go reader does
        assert isinstance(obj, dict) and isinstance(obj["step"], int), raw
        assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in obj["metrics"].values()), raw
        lines.append(obj)
    return lines


class TrialTestCase(unittest.TestCase):
    def make_trial(self, config: Optional[dict] = None, params: Optional[dict] = None) -> TrialDir:
        trial = TrialDir(config, params)
        self.addCleanup(trial.cleanup)
        return trial


class ConfigTest(TrialTestCase):
    CONFIG = {"training": {"lr": 0.003, "epochs": 3, "decay": 2}, "optimizer": "adam", "layers": [64, 32]}
    PARAMS = {"training.lr": 0.003, "optimizer": "adam"}

    def test_inside_fwapply(self) -> None:
        trial = self.make_trial(self.CONFIG, self.PARAMS)
        with environment(**trial.env()):
            self.assertEqual(frameworm.config(), self.CONFIG)
            self.assertEqual(frameworm.params(), self.PARAMS)
            self.assertEqual(frameworm.trial_dir(), trial.dir)
            self.assertEqual(frameworm.search_name(), "py")
            self.assertEqual(frameworm.trial_number(), 7)
            # The default is only for outside fwapply.
            self.assertEqual(frameworm.config(default={"x": 1}), self.CONFIG)
            self.assertEqual(frameworm.trial_dir(default="."), trial.dir)
            # A whole number stays an int, as the protocol says.
            self.assertIsInstance(frameworm.config()["training"]["decay"], int)

    def test_read_anew_each_call(self) -> None:
        trial = self.make_trial(self.CONFIG, self.PARAMS)
        with environment(**trial.env()):
            first = frameworm.config()
            first["training"]["lr"] = 1.0
            self.assertEqual(frameworm.config(), self.CONFIG)

    def test_outside_fwapply(self) -> None:
        cases = [
            ("config", frameworm.config, "FW_CONFIG"),
            ("params", frameworm.params, "FW_PARAMS"),
            ("trial_dir", frameworm.trial_dir, "FW_TRIAL_DIR"),
            ("search_name", frameworm.search_name, "FW_SEARCH"),
            ("trial_number", frameworm.trial_number, "FW_TRIAL"),
        ]
        for name, fn, var in cases:
            with self.subTest(name), environment():
                with self.assertRaises(frameworm.OutsideTrialError) as cm:
                    fn()
                self.assertIn(var, str(cm.exception))
                self.assertIn(f"{name}(default=...)", str(cm.exception))
                self.assertIsInstance(cm.exception, RuntimeError)
                default = {"from": "default"}
                self.assertIs(fn(default=default), default)
                self.assertIsNone(fn(default=None))
            with self.subTest(name + " empty"), environment(**{var: ""}):
                with self.assertRaises(frameworm.OutsideTrialError):
                    fn()

    def test_bad_files(self) -> None:
        trial = self.make_trial()
        cases = [
            ("missing", None, "cannot read FW_CONFIG"),
            ("not json", b"{training: 1}", "is not valid JSON"),
            ("not utf-8", b'{"a": "\xff"}', "is not valid JSON"),
            ("array", b"[1, 2]", "holds list, not a JSON object"),
        ]
        for name, content, want in cases:
            with self.subTest(name):
                path = os.path.join(trial.dir, name + ".json")
                if content is not None:
                    with open(path, "wb") as f:
                        f.write(content)
                with environment(FW_CONFIG=path):
                    with self.assertRaises(frameworm.FramewormError) as cm:
                        frameworm.config()
                    self.assertIn(want, str(cm.exception))
                    self.assertIn(path, str(cm.exception))
                    self.assertNotIsInstance(cm.exception, frameworm.OutsideTrialError)

    def test_bad_trial_number(self) -> None:
        with environment(FW_TRIAL="seven"):
            with self.assertRaisesRegex(frameworm.FramewormError, "FW_TRIAL is 'seven'"):
                frameworm.trial_number()


class ReportTest(TrialTestCase):
    def test_line_format(self) -> None:
        trial = self.make_trial()
        with environment(**trial.env()):
            frameworm.report(1, val_loss=0.5, acc=1)
            frameworm.report(2, {"val/loss": 0.25, "b": 2.0}, a=fractions.Fraction(1, 4))
            frameworm.report(3)
        self.assertEqual(
            trial.progress_text(),
            '{"step": 1, "metrics": {"acc": 1, "val_loss": 0.5}}\n'
            '{"step": 2, "metrics": {"a": 0.25, "b": 2.0, "val/loss": 0.25}}\n'
            '{"step": 3, "metrics": {}}\n',
        )

    def test_appends(self) -> None:
        trial = self.make_trial()
        with open(trial.progress, "w") as f:
            f.write('{"step": 0, "metrics": {"x": 1}}\n')
        with environment(**trial.env()):
            frameworm.report(1, x=2)
        self.assertEqual([line["step"] for line in read_progress(trial.progress_text())], [0, 1])

    def test_non_finite_round_trip(self) -> None:
        trial = self.make_trial()
        with environment(**trial.env()):
            frameworm.report(4, nan=math.nan, inf=math.inf, ninf=-math.inf, big=10**20, exact=2**53)
        text = trial.progress_text()
        # Bare tokens, as Python's json writes them and runtime.ReadProgress reads them.
        self.assertEqual(
            text,
            '{"step": 4, "metrics": {"big": 1e+20, "exact": 9007199254740992, "inf": Infinity, "nan": NaN, "ninf": -Infinity}}\n',
        )
        (line,) = read_progress(text)
        self.assertEqual(line["step"], 4)
        self.assertTrue(math.isnan(line["metrics"]["nan"]))
        self.assertEqual(line["metrics"]["inf"], math.inf)
        self.assertEqual(line["metrics"]["ninf"], -math.inf)
        self.assertEqual(line["metrics"]["big"], 1e20)

    def test_floats_round_trip_exactly(self) -> None:
        trial = self.make_trial()
        values = [0.1, 1 / 3, 5e-324, 1.7976931348623157e308, -2.5e-10]
        with environment(**trial.env()):
            for i, v in enumerate(values):
                frameworm.report(i, v=v)
        self.assertEqual([line["metrics"]["v"] for line in read_progress(trial.progress_text())], values)

    def test_step_kinds(self) -> None:
        class Index:  # like numpy.int64
            def __index__(self) -> int:
                return 12

        trial = self.make_trial()
        with environment(**trial.env()):
            frameworm.report(Index(), x=1)
            frameworm.report(-1, x=1)
            frameworm.report(2**63 - 1, x=1)
        self.assertEqual([line["step"] for line in read_progress(trial.progress_text())], [12, -1, 2**63 - 1])

    def test_refused(self) -> None:
        class Tensor:
            def item(self) -> float:
                return 1.0

        cases = [
            ("bool step", (True,), {}, TypeError, "step must be a whole number, not bool"),
            ("float step", (1.0,), {}, TypeError, "step must be a whole number, not float"),
            ("string step", ("1",), {}, TypeError, "not str"),
            ("huge step", (2**63,), {}, ValueError, "out of range"),
            ("bool metric", (1,), {"ok": True}, TypeError, "metric 'ok' is bool"),
            ("string metric", (1,), {"loss": "0.5"}, TypeError, "metric 'loss' is str"),
            ("none metric", (1,), {"loss": None}, TypeError, "metric 'loss' is NoneType"),
            ("complex metric", (1,), {"loss": 1j}, TypeError, "is complex"),
            ("tensor metric", (1,), {"loss": Tensor()}, TypeError, r"pass value.item\(\) or float\(value\)"),
            ("overflow", (1,), {"loss": 10**400}, ValueError, "too large for a float64"),
            ("twice", (1, {"loss": 1}), {"loss": 2}, ValueError, "'loss' is given twice"),
            ("not a mapping", (1, [("loss", 1)]), {}, TypeError, "must be a mapping"),
            ("key not a string", (1, {1: 0.5}), {}, TypeError, "names must be strings"),
            ("too long", (1,), {f"m{i:05d}": 0.123456789 for i in range(3000)}, ValueError, "fwapply skips lines longer than 65536"),
        ]
        trial = self.make_trial()
        with environment(**trial.env()):
            for name, args, kwargs, exc, message in cases:
                with self.subTest(name):
                    with self.assertRaisesRegex(exc, message):
                        frameworm.report(*args, **kwargs)
        self.assertEqual(trial.progress_text(), "", "a refused report wrote something")

    def test_longest_line(self) -> None:
        trial = self.make_trial()
        prefix = '{"step": 1, "metrics": {"'
        suffix = '": 1}}'
        name = "x" * (frameworm.MAX_PROGRESS_LINE - len(prefix) - len(suffix))
        with environment(**trial.env()):
            frameworm.report(1, {name: 1})
            with self.assertRaises(ValueError):
                frameworm.report(1, {name + "x": 1})
        text = trial.progress_text()
        self.assertEqual(len(text), frameworm.MAX_PROGRESS_LINE + 1)
        self.assertEqual(len(read_progress(text)), 1)

    def test_concurrent_threads(self) -> None:
        """Lines of threads never interleave, and a reader polling the file
        sees only whole lines except possibly the last."""
        trial = self.make_trial()
        threads, per_thread = 8, 300
        # Lines of several KiB, so a torn or interleaved write would show.
        padding = {f"pad{i:03d}": i * 0.5 for i in range(200)}
        errors: List[BaseException] = []
        done = threading.Event()
        torn_seen = 0

        def writer(t: int) -> None:
            try:
                for step in range(per_thread):
                    frameworm.report(step, padding, thread=t)
            except BaseException as e:  # reported below
                errors.append(e)

        def reader() -> None:
            nonlocal torn_seen
            try:
                while not done.is_set():
                    with open(trial.progress, encoding="utf-8") as f:
                        text = f.read()
                    if text and not text.endswith("\n"):
                        torn_seen += 1
                    read_progress(text)  # every complete line parses
            except BaseException as e:
                errors.append(e)

        with environment(**trial.env()):
            workers = [threading.Thread(target=writer, args=(t,)) for t in range(threads)]
            watcher = threading.Thread(target=reader)
            watcher.start()
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            done.set()
            watcher.join()
        self.assertEqual(errors, [])
        lines = read_progress(trial.progress_text())
        self.assertEqual(len(lines), threads * per_thread)
        for t in range(threads):
            steps = [line["step"] for line in lines if line["metrics"]["thread"] == t]
            self.assertEqual(steps, list(range(per_thread)), f"thread {t}")
        for line in lines:
            self.assertEqual(len(line["metrics"]), len(padding) + 1)

    def test_follows_fw_progress(self) -> None:
        first, second = self.make_trial(), self.make_trial()
        with environment(**first.env()):
            frameworm.report(1, x=1)
        with environment(**second.env()):
            frameworm.report(2, x=2)
        self.assertEqual([line["step"] for line in read_progress(first.progress_text())], [1])
        self.assertEqual([line["step"] for line in read_progress(second.progress_text())], [2])

    def test_outside_fwapply(self) -> None:
        err = io.StringIO()
        with environment(), redirect_stderr(err):
            frameworm.report(3, val_loss=0.5)
        self.assertEqual(err.getvalue(), '{"step": 3, "metrics": {"val_loss": 0.5}}\n')

    def test_cannot_open(self) -> None:
        trial = self.make_trial()
        path = os.path.join(trial.dir, "missing", "progress.jsonl")
        with environment(FW_PROGRESS=path):
            with self.assertRaisesRegex(frameworm.FramewormError, "cannot open FW_PROGRESS"):
                frameworm.report(1, x=1)


class FinishTest(TrialTestCase):
    def test_writes_metrics(self) -> None:
        trial = self.make_trial()
        with environment(**trial.env()):
            frameworm.finish(val_loss=0.38, epochs=3)
            with open(trial.metrics) as f:
                text = f.read()
            self.assertEqual(text, '{\n  "epochs": 3,\n  "val_loss": 0.38\n}\n')
            frameworm.finish({"val/loss": 0.5}, acc=0.75)
            with open(trial.metrics) as f:
                self.assertEqual(json.load(f), {"val/loss": 0.5, "acc": 0.75})
        self.assertEqual(os.stat(trial.metrics).st_mode & 0o777, 0o644)
        self.assertEqual(sorted(os.listdir(trial.dir)), ["config.json", "metrics.json", "params.json", "progress.jsonl"])

    def test_refused(self) -> None:
        cases = [
            ("nan", {"val_loss": math.nan}, ValueError, "metric 'val_loss' is nan, which JSON cannot hold"),
            ("inf", {"val_loss": -math.inf}, ValueError, "is -inf"),
            ("bool", {"val_loss": 0.5, "ok": False}, TypeError, "metric 'ok' is bool"),
            ("string", {"val_loss": "0.5"}, TypeError, "is str"),
            ("none", {}, ValueError, "needs at least the search's metric"),
        ]
        trial = self.make_trial()
        with environment(**trial.env()):
            for name, metrics, exc, message in cases:
                with self.subTest(name):
                    with self.assertRaisesRegex(exc, message):
                        frameworm.finish(**metrics)
                    self.assertFalse(os.path.exists(trial.metrics))

    def test_outside_fwapply(self) -> None:
        out = io.StringIO()
        with environment(), redirect_stdout(out):
            frameworm.finish(val_loss=0.5)
        self.assertEqual(json.loads(out.getvalue()), {"val_loss": 0.5})

    def test_failed_write_leaves_nothing(self) -> None:
        trial = self.make_trial()
        with environment(**trial.env()), mock.patch("os.fsync", side_effect=OSError(28, "No space left on device")):
            with self.assertRaisesRegex(frameworm.FramewormError, "cannot write FW_METRICS .*No space left"):
                frameworm.finish(val_loss=0.5)
        self.assertFalse(os.path.exists(trial.metrics))
        self.assertEqual(sorted(os.listdir(trial.dir)), ["config.json", "params.json", "progress.jsonl"], "a temporary file was left")

    def test_no_partial_file_visible(self) -> None:
        """A reader polling the metrics file while finish() rewrites it sees
        either nothing or a whole file of one of the versions written."""
        trial = self.make_trial()
        versions = 40
        size = 5000  # about 100 KiB per version
        errors: List[BaseException] = []
        reads = 0
        done = threading.Event()

        def reader() -> None:
            nonlocal reads
            try:
                while not done.is_set():
                    try:
                        with open(trial.metrics) as f:
                            text = f.read()
                    except FileNotFoundError:
                        continue
                    m = json.loads(text)
                    self.assertEqual(len(m), size)
                    self.assertEqual(set(m.values()), {m["m00000"]})
                    reads += 1
            except BaseException as e:
                errors.append(e)

        watcher = threading.Thread(target=reader)
        watcher.start()
        try:
            with environment(**trial.env()):
                for v in range(versions):
                    frameworm.finish({f"m{i:05d}": v for i in range(size)})
        finally:
            done.set()
            watcher.join()
        self.assertEqual(errors, [])
        self.assertGreater(reads, 0)

    def test_crash_mid_write_leaves_no_metrics_file(self) -> None:
        """A process killed while writing its metrics leaves no metrics.json
        (and an earlier one whole)."""
        script = textwrap.dedent(
            """
            import os, frameworm
            real_write = os.write
            def write(fd, data):
                if fd > 2:  # the temporary file: half of it, then die
                    real_write(fd, bytes(data)[: len(data) // 2])
                    os._exit(3)
                return real_write(fd, data)
            os.write = write
            frameworm.finish({"val_loss": 0.25, "pad": 1.5})
            """
        )
        for earlier in (None, '{"val_loss": 1}\n'):
            with self.subTest(earlier=earlier):
                trial = self.make_trial()
                if earlier is not None:
                    with open(trial.metrics, "w") as f:
                        f.write(earlier)
                proc = run_child(script, trial.env())
                self.assertEqual(proc.returncode, 3, proc.stderr)
                if earlier is None:
                    self.assertFalse(os.path.exists(trial.metrics))
                else:
                    with open(trial.metrics) as f:
                        self.assertEqual(f.read(), earlier)


def child_env(extra: Dict[str, str]) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in FW_VARS}
    env["PYTHONPATH"] = PYTHON_DIR
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def run_child(script: str, extra: Dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", script], env=child_env(extra), capture_output=True, text=True, timeout=WAIT
    )


class Child:
    """A Python child process running script, whose stdout lines the test
    reads one at a time."""

    def __init__(self, test: unittest.TestCase, script: str, extra: Dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(script)],
            env=child_env(extra),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        test.addCleanup(self.close)
        self.test = test

    def readline(self) -> str:
        """The next line of the child's stdout; fails the test after WAIT."""
        ready, _, _ = select.select([self.proc.stdout], [], [], WAIT)
        if not ready:
            self.test.fail(f"no output from the child within {WAIT}s")
        line = self.proc.stdout.readline()
        if not line:
            self.test.fail(f"the child ended early: {self.proc.wait(WAIT)}, stderr: {self.proc.stderr.read()}")
        return line.rstrip("\n")

    def expect(self, want: str) -> str:
        line = self.readline()
        self.test.assertTrue(line.startswith(want), f"child said {line!r}, want {want!r}")
        return line

    def kill(self, signum: int = signal.SIGTERM) -> None:
        self.proc.send_signal(signum)

    def finish(self) -> "tuple[int, str, str]":
        out, err = self.proc.communicate(timeout=WAIT)
        return self.proc.returncode, out, err

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()


# A training loop of the kind the helper is for: reports each step, says
# "ready" once the handler is in place, and on Pruned saves a checkpoint
# naming the step it stopped before.
TRAIN_LOOP = """
import os, sys, time, frameworm
step = 0
try:
    while True:
        step += 1
        frameworm.report(step, val_loss=1.0 / step)
        if step == 1:
            print("ready", flush=True)
        time.sleep(0.01)
except frameworm.Pruned as e:
    with open(os.path.join(frameworm.trial_dir(), "checkpoint"), "w") as f:
        f.write(f"{e.step} {e.signum} {frameworm.should_stop()}")
    print("pruned", e, flush=True)
    sys.exit(42)
"""


@unittest.skipUnless(hasattr(signal, "SIGKILL") and os.name == "posix", "signals need a POSIX system")
class SignalTest(TrialTestCase):
    def test_sigterm_raises_pruned_at_next_report(self) -> None:
        trial = self.make_trial()
        child = Child(self, TRAIN_LOOP, trial.env())
        child.expect("ready")
        child.kill()
        child.expect("pruned fwapply stopped the trial (SIGTERM) before step ")
        code, _, err = child.finish()
        self.assertEqual(code, 42, err)
        self.assertIn("frameworm: got SIGTERM; the next report() raises frameworm.Pruned", err)
        with open(os.path.join(trial.dir, "checkpoint")) as f:
            step, signum, stop = f.read().split()
        self.assertEqual((signum, stop), (str(int(signal.SIGTERM)), "True"))
        steps = [line["step"] for line in read_progress(trial.progress_text())]
        # Every step before the pruned one was written, that one was not.
        self.assertEqual(steps, list(range(1, int(step))))

    def test_uncaught_pruned_fails_the_process(self) -> None:
        trial = self.make_trial()
        script = """
            import time, frameworm
            frameworm.report(0, x=1)
            print("ready", flush=True)
            for step in range(1, 100000):
                time.sleep(0.01)
                frameworm.report(step, x=1)
        """
        child = Child(self, script, trial.env())
        child.expect("ready")
        child.kill()
        code, _, err = child.finish()
        self.assertEqual(code, 1)
        self.assertRegex(err, r"frameworm\.Pruned: fwapply stopped the trial \(SIGTERM\) before step \d+")

    def test_should_stop_and_other_threads(self) -> None:
        """should_stop() installs the handler and turns true; a report from
        another thread raises Pruned too."""
        trial = self.make_trial()
        script = """
            import threading, time, frameworm
            print("ready", frameworm.should_stop(), flush=True)
            while not frameworm.should_stop():
                time.sleep(0.01)
            result = []
            def worker():
                try:
                    frameworm.report(5, x=1)
                    result.append("written")
                except frameworm.Pruned as e:
                    result.append(f"pruned at {e.step}")
            t = threading.Thread(target=worker)
            t.start()
            t.join()
            print(result[0], flush=True)
        """
        child = Child(self, script, trial.env())
        child.expect("ready False")
        child.kill()
        child.expect("pruned at 5")
        code, _, err = child.finish()
        self.assertEqual(code, 0, err)
        self.assertEqual(trial.progress_text(), "")

    def test_default_action_before_first_report(self) -> None:
        """Importing frameworm changes nothing: before report() or
        should_stop(), SIGTERM ends the process."""
        script = """
            import time, frameworm
            cfg = frameworm.config()
            print("ready", flush=True)
            time.sleep(WAIT)
        """.replace("WAIT", str(WAIT))
        trial = self.make_trial({"a": 1})
        child = Child(self, script, trial.env())
        child.expect("ready")
        child.kill()
        code, _, _ = child.finish()
        self.assertEqual(code, -signal.SIGTERM)

    def test_second_sigterm_ends_the_process(self) -> None:
        script = """
            import time, frameworm
            frameworm.report(1, x=1)
            print("ready", flush=True)
            while not frameworm.should_stop():
                time.sleep(0.01)
            print("stopping", flush=True)
            time.sleep(WAIT)  # a slow cleanup
        """.replace("WAIT", str(WAIT))
        trial = self.make_trial()
        child = Child(self, script, trial.env())
        child.expect("ready")
        child.kill()
        child.expect("stopping")
        child.kill()
        code, _, _ = child.finish()
        self.assertEqual(code, -signal.SIGTERM)

    def test_own_handler_is_kept(self) -> None:
        script = """
            import signal, time, frameworm
            got = []
            signal.signal(signal.SIGTERM, lambda s, f: got.append(s))
            frameworm.report(1, x=1)
            print("ready", flush=True)
            while not got:
                time.sleep(0.01)
            frameworm.report(2, x=2)
            print("own handler ran; should_stop", frameworm.should_stop(), flush=True)
        """
        trial = self.make_trial()
        child = Child(self, script, trial.env())
        child.expect("ready")
        child.kill()
        child.expect("own handler ran; should_stop False")
        code, _, err = child.finish()
        self.assertEqual(code, 0, err)
        self.assertEqual([line["step"] for line in read_progress(trial.progress_text())], [1, 2])

    def test_not_installed_from_another_thread(self) -> None:
        script = """
            import threading, time, frameworm
            t = threading.Thread(target=lambda: frameworm.report(1, x=1))
            t.start()
            t.join()
            print("ready", flush=True)
            time.sleep(WAIT)
        """.replace("WAIT", str(WAIT))
        trial = self.make_trial()
        child = Child(self, script, trial.env())
        child.expect("ready")
        child.kill()
        code, _, _ = child.finish()
        self.assertEqual(code, -signal.SIGTERM)

    @unittest.skipUnless(hasattr(os, "fork"), "needs fork")
    def test_forked_child_keeps_default_action(self) -> None:
        """A process forked after the handler was installed (a data loader
        worker) still dies of SIGTERM, so it does not outlive the trial:
        also when the signal comes right after the fork, before Python has
        finished its after-fork work (signals that arrive then are dropped
        unless SIGTERM is blocked across the fork)."""
        script = """
            import os, signal, time, frameworm
            frameworm.report(1, x=1)
            pids = []
            for _ in range(20):
                pid = os.fork()
                if pid == 0:
                    time.sleep(10)
                    os._exit(0)
                os.kill(pid, signal.SIGTERM)
                pids.append(pid)
            statuses = [os.waitpid(pid, 0)[1] for pid in pids]
            killed = sum(os.WIFSIGNALED(s) and os.WTERMSIG(s) == signal.SIGTERM for s in statuses)
            print("killed", killed, "of", len(pids), "stop", frameworm.should_stop(), flush=True)
        """
        trial = self.make_trial()
        child = Child(self, script, trial.env())
        child.expect("killed 20 of 20 stop False")
        code, _, err = child.finish()
        self.assertEqual(code, 0, err)


    @unittest.skipUnless(sys.platform.startswith("linux"), "needs the C library's fork through ctypes")
    def test_child_forked_behind_pythons_back_keeps_default_action(self) -> None:
        """A child forked by C code, without Python's fork hooks, is still
        told apart from the trial by its pid."""
        script = """
            import ctypes, os, signal, time, frameworm
            frameworm.report(1, x=1)
            libc = ctypes.CDLL(None, use_errno=True)
            pid = libc.fork()
            if pid == 0:
                time.sleep(WAIT)
                os._exit(0)
            print("ready", pid, flush=True)
            _, status = os.waitpid(pid, 0)
            print("worker", os.WTERMSIG(status) if os.WIFSIGNALED(status) else "exited", frameworm.should_stop(), flush=True)
        """.replace("WAIT", str(WAIT))
        trial = self.make_trial()
        child = Child(self, script, trial.env())
        worker = int(child.expect("ready ").split()[1])
        time.sleep(0.2)  # let the worker reach its sleep; only makes the test meaningful, never flaky
        os.kill(worker, signal.SIGTERM)
        child.expect(f"worker {int(signal.SIGTERM)} False")
        code, _, err = child.finish()
        self.assertEqual(code, 0, err)


class PrunedTest(unittest.TestCase):
    def test_attributes(self) -> None:
        e = frameworm.Pruned(4)
        self.assertEqual((e.step, e.signum), (4, signal.SIGTERM))
        self.assertEqual(str(e), "fwapply stopped the trial (SIGTERM) before step 4 was reported")
        self.assertEqual(str(frameworm.Pruned()), "fwapply stopped the trial (SIGTERM)")
        self.assertIsInstance(e, Exception)
        self.assertNotIsInstance(e, frameworm.FramewormError)
        back = pickle.loads(pickle.dumps(e))
        self.assertEqual((type(back), back.step, back.signum, str(back)), (frameworm.Pruned, 4, signal.SIGTERM, str(e)))


class PackageTest(unittest.TestCase):
    def test_version(self) -> None:
        self.assertRegex(frameworm.__version__, r"^\d+\.\d+\.\d+(\.dev\d+)?$")

    def test_exports(self) -> None:
        for name in frameworm.__all__:
            self.assertTrue(hasattr(frameworm, name), name)

    def test_imported_from_this_checkout(self) -> None:
        self.assertEqual(os.path.dirname(os.path.dirname(os.path.abspath(frameworm.__file__))), PYTHON_DIR)

    def test_pyproject(self) -> None:
        with open(os.path.join(PYTHON_DIR, "pyproject.toml")) as f:
            text = f.read()
        self.assertRegex(text, r'build-backend = "setuptools.build_meta"')
        self.assertRegex(text, r"dependencies = \[\]")
        self.assertRegex(text, r'version = \{ attr = "frameworm.__version__" \}')


if __name__ == "__main__":
    unittest.main()
