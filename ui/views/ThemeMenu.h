#pragma once

#include <QMenu>

namespace poolscope {

// View > Theme: follow the system, light or dark, kept between sessions.
class ThemeMenu : public QMenu {
    Q_OBJECT

public:
    explicit ThemeMenu(QWidget* parent = nullptr);

    // Applies the theme chosen last; call once the application exists.
    static void applySaved();
};

}  // namespace poolscope
