#include "views/PaletteIcon.h"

#include <QGuiApplication>
#include <QIconEngine>
#include <QPainter>
#include <QPainterPath>
#include <QPalette>

#include <algorithm>

namespace poolscope {

namespace {

class GlyphEngine : public QIconEngine {
public:
    explicit GlyphEngine(PaletteIcon::Glyph glyph) : glyph_(glyph) {}

    void paint(QPainter* painter, const QRect& rect, QIcon::Mode mode, QIcon::State) override {
        const QPalette::ColorGroup group =
            mode == QIcon::Disabled ? QPalette::Disabled : QPalette::Active;
        const QColor colour = QGuiApplication::palette().color(group, QPalette::ButtonText);
        // The glyph fills the middle of the square, as Qt's media icons do.
        const qreal side = std::min(rect.width(), rect.height()) * 0.7;
        const QRectF box(rect.center().x() + 0.5 - side / 2, rect.center().y() + 0.5 - side / 2,
                         side, side);
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(Qt::NoPen);
        painter->setBrush(colour);
        painter->drawPath(pathIn(box));
        painter->restore();
    }

    // QIconEngine's own pixmap() paints on whatever the new pixmap held.
    QPixmap pixmap(const QSize& size, QIcon::Mode mode, QIcon::State state) override {
        QPixmap pixmap(size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        paint(&painter, QRect(QPoint(0, 0), size), mode, state);
        return pixmap;
    }

    QIconEngine* clone() const override { return new GlyphEngine(glyph_); }
    QString key() const override { return QStringLiteral("poolscope-palette-glyph"); }

private:
    // A triangle pointing right (or left) across `box`.
    static QPainterPath arrow(const QRectF& box, bool right) {
        QPainterPath path;
        if (right) {
            path.moveTo(box.topLeft());
            path.lineTo(box.right(), box.center().y());
            path.lineTo(box.bottomLeft());
        } else {
            path.moveTo(box.topRight());
            path.lineTo(box.left(), box.center().y());
            path.lineTo(box.bottomRight());
        }
        path.closeSubpath();
        return path;
    }

    QPainterPath pathIn(const QRectF& box) const {
        QPainterPath path;
        const qreal w = box.width();
        switch (glyph_) {
            case PaletteIcon::Glyph::Play:
                path.addPath(arrow(box.adjusted(w * 0.12, 0, -w * 0.05, 0), true));
                break;
            case PaletteIcon::Glyph::Pause:
                path.addRect(QRectF(box.left() + w * 0.1, box.top(), w * 0.3, box.height()));
                path.addRect(QRectF(box.left() + w * 0.6, box.top(), w * 0.3, box.height()));
                break;
            case PaletteIcon::Glyph::SeekBackward:
            case PaletteIcon::Glyph::SeekForward: {
                const bool forward = glyph_ == PaletteIcon::Glyph::SeekForward;
                const QRectF first(box.left(), box.top() + w * 0.15, w / 2, box.height() * 0.7);
                path.addPath(arrow(first, forward));
                path.addPath(arrow(first.translated(w / 2, 0), forward));
                break;
            }
            case PaletteIcon::Glyph::Stop:
                path.addRect(box.adjusted(w * 0.1, w * 0.1, -w * 0.1, -w * 0.1));
                break;
        }
        path.setFillRule(Qt::WindingFill);
        return path;
    }

    PaletteIcon::Glyph glyph_;
};

}  // namespace

QIcon PaletteIcon::make(Glyph glyph) {
    return QIcon(new GlyphEngine(glyph));
}

}  // namespace poolscope
