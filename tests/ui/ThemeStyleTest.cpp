// Check boxes and radio buttons can be seen on both themes: their indicators' outlines stand out
// from the window as much as a graphical object a person must make out should.

#include <QApplication>
#include <QCheckBox>
#include <QRadioButton>
#include <QStyleOptionButton>
#include <QtTest>

#include "ContrastSupport.h"
#include "views/Theme.h"

using namespace poolscope;

namespace {

// The strongest contrast with the window among the pixels along `indicator`'s edges.
double outlineContrast(QAbstractButton& button, QStyle::SubElement indicatorElement) {
    button.adjustSize();
    QStyleOptionButton option;
    option.initFrom(&button);
    const QRect indicator = button.style()->subElementRect(indicatorElement, &option, &button);
    const QImage image = button.grab().toImage().convertToFormat(QImage::Format_RGB32);
    const QColor window = button.palette().color(QPalette::Window);
    double strongest = 1.0;
    const auto consider = [&](int x, int y) {
        if (image.rect().contains(x, y)) {
            strongest = std::max(strongest, testing::contrast(QColor(image.pixel(x, y)), window));
        }
    };
    for (int x = indicator.left(); x <= indicator.right(); ++x) {
        consider(x, indicator.top());
        consider(x, indicator.bottom());
    }
    for (int y = indicator.top(); y <= indicator.bottom(); ++y) {
        consider(indicator.left(), y);
        consider(indicator.right(), y);
    }
    return strongest;
}

}  // namespace

class ThemeStyleTest : public QObject {
    Q_OBJECT

private slots:
    void cleanup() { Theme::apply(QStringLiteral("light")); }

    void indicators_outlineContrastsWithTheWindow_inDarkAndLightThemes() {
        for (const QString theme : {QStringLiteral("dark"), QStringLiteral("light")}) {
            Theme::apply(theme);
            QCheckBox check(QStringLiteral("Prefer contiguous"));
            const double checkContrast = outlineContrast(check, QStyle::SE_CheckBoxIndicator);
            QVERIFY2(checkContrast >= testing::kMinimumContrast,
                     qPrintable(QStringLiteral("check box, %1 theme: contrast %2")
                                    .arg(theme)
                                    .arg(checkContrast, 0, 'f', 2)));
            QRadioButton radio(QStringLiteral("Pool"));
            const double radioContrast = outlineContrast(radio, QStyle::SE_RadioButtonIndicator);
            QVERIFY2(radioContrast >= testing::kMinimumContrast,
                     qPrintable(QStringLiteral("radio button, %1 theme: contrast %2")
                                    .arg(theme)
                                    .arg(radioContrast, 0, 'f', 2)));
        }
    }
};

QTEST_MAIN(ThemeStyleTest)
#include "ThemeStyleTest.moc"
