"""numpy RGBA images to Qt images and thumbnail icons (layer previews in the panels)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap


def rgba_to_qimage(image: np.ndarray) -> QImage:
    """A deep-copied QImage of an (H, W, 4) uint8 RGBA array with straight alpha."""
    data = np.ascontiguousarray(image, np.uint8)
    h, w = data.shape[:2]
    return QImage(data.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()


def qimage_to_rgba(image: QImage) -> np.ndarray:
    """(H, W, 4) uint8 RGBA copy of a QImage (any format; converted first)."""
    img = image.convertToFormat(QImage.Format.Format_RGBA8888)
    w, h = img.width(), img.height()
    buf = np.frombuffer(img.constBits(), np.uint8, count=img.bytesPerLine() * h)
    return buf.reshape(h, img.bytesPerLine())[:, : 4 * w].reshape(h, w, 4).copy()


def thumbnail_icon(image: np.ndarray, size_px: int = 28) -> QIcon:
    """A square icon of ``image`` scaled to fit ``size_px``, on a light checkerboard."""
    qimg = rgba_to_qimage(image).scaled(size_px, size_px, Qt.AspectRatioMode.KeepAspectRatio,
                                        Qt.TransformationMode.SmoothTransformation)
    pixmap = QPixmap(size_px, size_px)
    pixmap.fill(QColor(235, 235, 238))
    painter = QPainter(pixmap)
    cell = max(size_px // 4, 2)
    for y in range(0, size_px, cell):
        for x in range(0, size_px, cell):
            if (x // cell + y // cell) % 2:
                painter.fillRect(x, y, cell, cell, QColor(205, 205, 210))
    painter.drawImage((size_px - qimg.width()) // 2, (size_px - qimg.height()) // 2, qimg)
    painter.end()
    return QIcon(pixmap)
