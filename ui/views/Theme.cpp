#include "views/Theme.h"

#include <QApplication>
#include <QColor>
#include <QStyle>

#include "views/ThemeStyle.h"

namespace poolscope {

bool Theme::isDark(const QPalette& palette) {
    return palette.color(QPalette::Window).lightness() < 128;
}

bool Theme::systemPaletteIsDark() {
    return isDark(QApplication::style()->standardPalette());
}

QPalette Theme::darkPalette() {
    QPalette palette;
    const QColor window(37, 39, 43);
    const QColor base(27, 29, 32);
    const QColor text(222, 224, 228);
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::AlternateBase, window);
    palette.setColor(QPalette::ToolTipBase, window);
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::PlaceholderText, QColor(140, 144, 150));
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::Button, window);
    palette.setColor(QPalette::ButtonText, text);
    palette.setColor(QPalette::BrightText, Qt::white);
    palette.setColor(QPalette::Highlight, QColor(58, 110, 185));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::Link, QColor(110, 160, 240));
    palette.setColor(QPalette::Mid, QColor(70, 73, 78));
    palette.setColor(QPalette::Dark, QColor(20, 21, 23));
    palette.setColor(QPalette::Disabled, QPalette::Text, QColor(120, 122, 126));
    palette.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(120, 122, 126));
    palette.setColor(QPalette::Disabled, QPalette::WindowText, QColor(120, 122, 126));
    return palette;
}

void Theme::apply(const QString& theme) {
    QApplication::setStyle(new ThemeStyle);
    const bool dark = theme == QLatin1String("dark") ||
                      (theme != QLatin1String("light") && systemPaletteIsDark());
    QApplication::setPalette(dark ? darkPalette() : QApplication::style()->standardPalette());
}

}  // namespace poolscope
