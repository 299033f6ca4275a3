#include "views/ThemeStyle.h"

#include <QPainter>
#include <QStyleFactory>
#include <QStyleOption>

#include "views/ViewColors.h"

namespace poolscope {

ThemeStyle::ThemeStyle() : QProxyStyle(QStyleFactory::create(QStringLiteral("Fusion"))) {}

void ThemeStyle::drawPrimitive(PrimitiveElement element, const QStyleOption* option,
                               QPainter* painter, const QWidget* widget) const {
    QProxyStyle::drawPrimitive(element, option, painter, widget);
    if (element != PE_IndicatorCheckBox && element != PE_IndicatorRadioButton) {
        return;
    }
    const QPalette& palette = option->palette;
    const QColor outline = ViewColors::mix(palette.color(QPalette::Window),
                                           palette.color(QPalette::WindowText), kOutlineShare);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, element == PE_IndicatorRadioButton);
    painter->setPen(QPen(outline, 1));
    painter->setBrush(Qt::NoBrush);
    const QRectF box = QRectF(option->rect).adjusted(0.5, 0.5, -0.5, -0.5);
    if (element == PE_IndicatorRadioButton) {
        painter->drawEllipse(box);
    } else {
        painter->drawRect(box);
    }
    painter->restore();
}

}  // namespace poolscope
