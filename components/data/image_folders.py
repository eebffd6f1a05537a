"""A directory of images with one folder per class, read into arrays: `--image-dir`.

The layout is Keras's `image_dataset_from_directory`'s (`DIR/<class>/<image>`, classes in
alphabetical order, the formats it reads: bmp, gif, jpeg, jpg, png). Keras's reader resizes
every image to one size and skips files it cannot read; a classifier trained on a folder here
refuses both instead, naming the file, since a silently stretched or missing image is a
silently different dataset. Images are decoded with Pillow (which matplotlib already needs),
so a folder trains without TensorFlow too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

# Keras's `image_dataset_from_directory` reads these (keras.utils.dataset_utils).
IMAGE_SUFFIXES = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
# Pillow's modes a classifier's pixels come in: 8-bit grayscale and RGB.
CHANNELS = {"L": 1, "RGB": 3}
# Other 8-bit modes and what they become (alpha dropped, as Keras's reader drops it). Modes of
# more than 8 bits (16-bit grayscale, 32-bit, float) are refused: Pillow would clip them.
CONVERTED = {"1": "L", "LA": "L", "P": "RGB", "PA": "RGB", "RGBA": "RGB", "CMYK": "RGB"}


def _read_image(path: Path) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.load()
            if image.mode not in CHANNELS and image.mode not in CONVERTED:
                raise ValueError(
                    f"{path}: Pillow mode {image.mode!r} has more than 8 bits per channel; an "
                    "image folder holds 8-bit grayscale or color images (convert it first)."
                )
            pixels = np.asarray(image.convert(CONVERTED.get(image.mode, image.mode)), np.uint8)
    except (UnidentifiedImageError, OSError) as err:
        raise ValueError(
            f"{path}: not a readable image ({type(err).__name__}: {str(err)[:120]}); an image "
            f"folder holds {', '.join(IMAGE_SUFFIXES)} files only."
        ) from None
    return pixels[..., None] if pixels.ndim == 2 else pixels


def image_folder_files(
    directory: str | Path, class_names: list[str] | None = None
) -> tuple[list[tuple[Path, int]], list[str]]:
    """The image files of `directory` (one subfolder per class) with their labels, in the
    order `read_image_folder` reads them, and the class names; no image is decoded (counting
    a folder's examples costs a listing, not a read).

    Raises:
        ValueError: no such folder, fewer than two class folders, other classes than
            expected, a class folder without images, or a file that is not an image file;
            each names the folder or file.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"{directory}: no such folder (expected {directory}/<class>/<image>).")
    folders = sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith("."))
    names = [p.name for p in folders]
    if len(folders) < 2:
        found = f"only the class folder {names[0]!r}" if names else "no class folders"
        raise ValueError(
            f"{directory}: {found}; a classifier needs at least two, as "
            f"{directory}/<class>/<image> (e.g. {directory}/cat/1.png, {directory}/dog/1.png)."
        )
    if class_names is not None and names != list(class_names):
        raise ValueError(
            f"{directory}: its classes {names} are not the training folder's {list(class_names)}."
        )
    labelled = []
    for label, folder in enumerate(folders):
        files = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
        if not files:
            raise ValueError(f"{folder}: a class folder without images.")
        for path in files:
            if path.is_dir() or path.suffix.lower() not in IMAGE_SUFFIXES:
                raise ValueError(
                    f"{path}: not an image file; a class folder holds "
                    f"{', '.join(IMAGE_SUFFIXES)} files only."
                )
            labelled.append((path, label))
    return labelled, names


def read_image_folder(
    directory: str | Path, class_names: list[str] | None = None
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The images of `directory` (one subfolder per class) as `(uint8 [N, H, W, C], int64
    labels [N], class names)`.

    Args:
        directory: the folder of class folders.
        class_names: the classes expected (a test folder must have the training folder's).

    Raises:
        ValueError: no such folder, fewer than two class folders, other classes than
            expected, a class folder without images, a file that is not a readable image,
            or images of different sizes or channels; each names the folder or file.

    Example:
    >>> images, labels, names = read_image_folder("flowers/")  # doctest: +SKIP
    """
    labelled, names = image_folder_files(directory, class_names)
    images, first = [], None
    for path, _ in labelled:
        pixels = _read_image(path)
        if images and pixels.shape != images[0].shape:
            raise ValueError(
                f"{path}: {pixels.shape[1]}x{pixels.shape[0]} with {pixels.shape[2]} "
                f"channel(s), but {first} is {images[0].shape[1]}x{images[0].shape[0]} with "
                f"{images[0].shape[2]}: the images of a folder must share one size and "
                "one color mode (resize them first; --resize then scales them all)."
            )
        images.append(pixels)
        first = first or path
    labels = np.asarray([label for _, label in labelled], np.int64)
    return np.stack(images), labels, names


__all__ = ["IMAGE_SUFFIXES", "image_folder_files", "read_image_folder"]
