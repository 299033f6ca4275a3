// The run controls' icons read on both themes: every glyph pixel stands out from the toolbar
// in the dark palette and the light one, and the same icon follows a theme switch.

#include <QAction>
#include <QApplication>
#include <QtTest>

#include "ContrastSupport.h"
#include "session/EngineSession.h"
#include "views/PaletteIcon.h"
#include "views/RunToolBar.h"
#include "views/Theme.h"

using namespace poolscope;

namespace {

constexpr int kIconPixels = 32;

// Empty when the icon, drawn after View > Theme chose `theme`, shows a glyph whose every nearly
// opaque pixel contrasts with the toolbar's background; otherwise what is wrong.
QString legibilityProblem(const QIcon& icon, const QString& theme) {
    Theme::apply(theme);
    const QPalette palette = QApplication::palette();
    const QImage image = icon.pixmap(QSize(kIconPixels, kIconPixels))
                             .toImage()
                             .convertToFormat(QImage::Format_ARGB32);
    const QColor background = palette.color(QPalette::Window);
    int glyphPixels = 0;
    double weakest = 1e9;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QRgb pixel = image.pixel(x, y);
            if (qAlpha(pixel) < 200) {
                continue;
            }
            ++glyphPixels;
            weakest = std::min(weakest, testing::contrast(QColor::fromRgb(pixel), background));
        }
    }
    if (glyphPixels < image.width() * image.height() / 10) {
        return QStringLiteral("only %1 glyph pixels").arg(glyphPixels);
    }
    if (weakest < testing::kMinimumContrast) {
        return QStringLiteral("contrast %1 against the background").arg(weakest, 0, 'f', 2);
    }
    return {};
}

}  // namespace

class PaletteIconTest : public QObject {
    Q_OBJECT

private slots:
    void cleanup() { Theme::apply(QStringLiteral("light")); }

    void runControls_contrastWithTheToolbar_inDarkAndLightThemes() {
        EngineSession session;
        RunToolBar bar(session);
        const std::pair<const char*, QAction*> actions[] = {{"run", bar.runAction()},
                                                            {"pause", bar.pauseAction()},
                                                            {"step", bar.stepAction()},
                                                            {"stop", bar.stopAction()}};
        for (const auto& [name, action] : actions) {
            for (const QString& theme : {QStringLiteral("dark"), QStringLiteral("light")}) {
                const QString problem = legibilityProblem(action->icon(), theme);
                QVERIFY2(problem.isEmpty(),
                         qPrintable(QStringLiteral("%1 in the %2 theme: %3")
                                        .arg(QLatin1String(name), theme, problem)));
            }
        }
    }

    void paletteIcon_everyGlyphReadsOnBothThemes() {
        for (const PaletteIcon::Glyph glyph :
             {PaletteIcon::Glyph::Play, PaletteIcon::Glyph::Pause, PaletteIcon::Glyph::SeekBackward,
              PaletteIcon::Glyph::SeekForward, PaletteIcon::Glyph::Stop}) {
            const QIcon icon = PaletteIcon::make(glyph);
            for (const QString& theme : {QStringLiteral("dark"), QStringLiteral("light")}) {
                const QString problem = legibilityProblem(icon, theme);
                QVERIFY2(problem.isEmpty(), qPrintable(theme + QStringLiteral(": ") + problem));
            }
        }
    }

    void paletteIcon_followsAThemeSwitch_withoutBeingMadeAgain() {
        const QIcon icon = PaletteIcon::make(PaletteIcon::Glyph::Play);
        const auto centre = [&icon](const QString& theme) {
            Theme::apply(theme);
            return icon.pixmap(QSize(kIconPixels, kIconPixels))
                .toImage()
                .pixelColor(kIconPixels / 2, kIconPixels / 2)
                .rgb();
        };
        QCOMPARE(centre(QStringLiteral("dark")),
                 Theme::darkPalette().color(QPalette::ButtonText).rgb());
        const QRgb onLight = centre(QStringLiteral("light"));
        QCOMPARE(onLight, QApplication::palette().color(QPalette::ButtonText).rgb());
        QVERIFY(onLight != Theme::darkPalette().color(QPalette::ButtonText).rgb());
    }
};

QTEST_MAIN(PaletteIconTest)
#include "PaletteIconTest.moc"
