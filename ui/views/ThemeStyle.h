#pragma once

#include <QProxyStyle>

namespace poolscope {

// Fusion, with check box and radio button indicators that can be seen on either theme. Fusion
// outlines an indicator in the window colour made darker, which on a dark window is all but
// black on black; this draws the outline again in a colour between the window and the text, as
// legible as the text is, in both themes.
class ThemeStyle : public QProxyStyle {
public:
    ThemeStyle();

    void drawPrimitive(PrimitiveElement element, const QStyleOption* option, QPainter* painter,
                       const QWidget* widget = nullptr) const override;

    // How far the outline lies from the window colour towards the text colour.
    static constexpr double kOutlineShare = 0.55;
};

}  // namespace poolscope
