"""Prepare tfds's `fashion_mnist` from local IDX files, for machines that cannot download.

tfds cannot use Debian's `dataset-fashion-mnist` files as they are: its registered checksums are
of the upstream `.gz` files, whose gzip headers differ. The decompressed bytes are the same data,
so we check those against known sha256 sums and let tfds's own `fashion_mnist` builder write its
usual TFRecords from them. The result is the very dataset `tfds.load("fashion_mnist")` gives
(same features, class names, splits), and every later load is a plain `tfds.load`.
tfds lacks a manual-files path for this builder, hence this module.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import os
import tempfile
import time
import types
import zlib
from pathlib import Path

DEBIAN_FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_DIR_ENV = "FASHION_MNIST_DIR"


@dataclasses.dataclass(frozen=True)
class IdxFile:
    """One Fashion-MNIST IDX file: its base name and the sha256 and size of its raw bytes."""

    name: str
    sha256: str
    num_bytes: int


# sha256 of the *decompressed* bytes, computed from the files of the dataset's own repository
# (https://github.com/zalandoresearch/fashion-mnist, data/fashion); the gzip wrappers vary
# (Debian's dataset-fashion-mnist recompressed them), the bytes inside do not.
FASHION_MNIST_FILES: dict[str, IdxFile] = {
    "train_data": IdxFile(
        "train-images-idx3-ubyte",
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        47_040_016,
    ),
    "train_labels": IdxFile(
        "train-labels-idx1-ubyte",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        60_008,
    ),
    "test_data": IdxFile(
        "t10k-images-idx3-ubyte",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        7_840_016,
    ),
    "test_labels": IdxFile(
        "t10k-labels-idx1-ubyte",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        10_008,
    ),
}
_NUM_EXAMPLES = {"train": 60_000, "test": 10_000}


class FashionMNISTFileError(ValueError):
    """A local Fashion-MNIST file is unreadable, truncated or not the expected data."""


def default_search_dirs() -> list[Path]:
    """Where local files are looked for: `$FASHION_MNIST_DIR`, then Debian's package dir."""
    dirs = []
    if os.environ.get(FASHION_MNIST_DIR_ENV):
        dirs.append(Path(os.environ[FASHION_MNIST_DIR_ENV]))
    dirs.append(DEBIAN_FASHION_MNIST_DIR)
    return dirs


def find_fashion_mnist_files(
    search_dirs: list[str | Path] | None = None,
) -> dict[str, Path] | None:
    """Returns the four IDX files (gzipped or not) from the first dir that has all, else None.

    Args:
        search_dirs: directories to search in order; default `default_search_dirs()`.
    """
    for directory in map(Path, search_dirs if search_dirs is not None else default_search_dirs()):
        found = {}
        for key, idx in FASHION_MNIST_FILES.items():
            candidates = [directory / f"{idx.name}.gz", directory / idx.name]
            existing = [path for path in candidates if path.is_file()]
            if existing:
                found[key] = existing[0]
        if len(found) == len(FASHION_MNIST_FILES):
            return found
    return None


def read_verified(path: Path, expected: IdxFile) -> bytes:
    """Reads (and gunzips) `path`, then checks size and sha256 of the raw bytes."""
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                data = f.read()
        else:
            data = path.read_bytes()
    except (OSError, EOFError, zlib.error) as err:
        raise FashionMNISTFileError(
            f"Cannot read Fashion-MNIST file {path}: {err}. The file is corrupt or truncated; "
            "reinstall it (`apt-get install --reinstall dataset-fashion-mnist`) or download "
            "it again from https://github.com/zalandoresearch/fashion-mnist."
        ) from err
    digest = hashlib.sha256(data).hexdigest()
    if len(data) != expected.num_bytes or digest != expected.sha256:
        raise FashionMNISTFileError(
            f"Fashion-MNIST file {path} is not the expected data: its decompressed content has "
            f"{len(data):,} bytes and sha256 {digest}; expected {expected.num_bytes:,} bytes and "
            f"sha256 {expected.sha256}. The file is corrupt, truncated or another dataset."
        )
    return data


def prepare_fashion_mnist_offline(
    data_dir: str | Path,
    search_dirs: list[str | Path] | None = None,
    *,
    verbose: bool = True,
) -> Path:
    """Builds tfds's `fashion_mnist` in `data_dir` from local IDX files, without network.

    All four files are verified before anything is written; tfds then writes its TFRecords into a
    temporary directory inside `data_dir`, which is renamed into place only when complete, so a
    failure leaves nothing half-prepared.

    Args:
        data_dir: the tfds data dir (the one later passed to `tfds.load(..., data_dir=...)`).
        search_dirs: where to look for the files; default `$FASHION_MNIST_DIR`, then
            `/usr/share/datasets/fashion-mnist` (Debian's `dataset-fashion-mnist`).
        verbose: print one line before and one after (tfds's own messages, which speak of a
            download, and its progress bars are kept quiet).

    Returns:
        The prepared dataset directory, e.g. `<data_dir>/fashion_mnist/3.0.1`.

    Example:
    >>> prepare_fashion_mnist_offline("~/tensorflow_datasets")  # doctest: +SKIP
    >>> tfds.load("fashion_mnist", split="test")  # doctest: +SKIP
    """
    import tensorflow_datasets as tfds  # heavy import, kept out of module import time
    from tensorflow_datasets.core.utils import tqdm_utils

    files = find_fashion_mnist_files(search_dirs)
    if files is None:
        searched = ", ".join(str(d) for d in (search_dirs or default_search_dirs()))
        raise FileNotFoundError(
            f"No complete set of Fashion-MNIST IDX files in: {searched}. Expected "
            + ", ".join(f"{f.name}[.gz]" for f in FASHION_MNIST_FILES.values())
            + f". Install Debian's `dataset-fashion-mnist` or set ${FASHION_MNIST_DIR_ENV}."
        )
    data_dir = Path(data_dir).expanduser()
    data_dir.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    if verbose:
        print(
            f"Preparing fashion_mnist in {data_dir} from the local IDX files in "
            f"{files['train_data'].parent} (checked by sha256; nothing is downloaded)...",
            flush=True,
        )
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=".classiczoo-prepare-") as tmp:
        raw_paths = {}
        for key, path in files.items():
            raw_paths[key] = Path(tmp) / FASHION_MNIST_FILES[key].name
            raw_paths[key].write_bytes(read_verified(path, FASHION_MNIST_FILES[key]))

        builder = tfds.builder("fashion_mnist", data_dir=Path(tmp) / "tfds")

        def local_split_generators(self, dl_manager):
            del dl_manager  # the files are local; nothing to download
            return [
                tfds.core.SplitGenerator(
                    name=split,
                    gen_kwargs=dict(
                        num_examples=_NUM_EXAMPLES[split],
                        data_path=str(raw_paths[f"{split}_data"]),
                        label_path=str(raw_paths[f"{split}_labels"]),
                    ),
                )
                for split in ("train", "test")
            ]

        builder._split_generators = types.MethodType(local_split_generators, builder)
        # tfds announces a download ("Downloading and preparing dataset Unknown size") and its
        # end; neither is true here, and the lines above and below say what happens.
        builder._log_download_bytes = builder._log_download_done = lambda: None
        progress_bars = tqdm_utils._active  # tfds has no getter, only the switch
        tfds.display_progress_bar(False)
        try:
            builder.download_and_prepare(
                download_config=tfds.download.DownloadConfig(try_download_gcs=False)
            )
        finally:
            tfds.display_progress_bar(progress_bars)
        final_dir = data_dir / "fashion_mnist" / str(builder.version)
        if (final_dir / "dataset_info.json").is_file():
            return final_dir  # prepared meanwhile by another process: keep theirs
        final_dir.parent.mkdir(parents=True, exist_ok=True)
        if final_dir.exists():  # an incomplete directory from elsewhere: set aside, not deleted
            os.rename(final_dir, final_dir.with_name(f"{final_dir.name}.incomplete-{os.getpid()}"))
        os.rename(Path(builder.data_dir), final_dir)
    if verbose:
        print(
            f"Prepared fashion_mnist in {final_dir} ({time.monotonic() - start:.0f} s); "
            "later runs read it from there.",
            flush=True,
        )
    return final_dir
