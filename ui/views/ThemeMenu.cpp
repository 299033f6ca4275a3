#include "views/ThemeMenu.h"

#include <QActionGroup>
#include <QSettings>

#include <utility>

#include "views/Theme.h"

namespace poolscope {

namespace {

QString savedTheme() {
    return QSettings().value(QStringLiteral("theme"), QStringLiteral("system")).toString();
}

}  // namespace

ThemeMenu::ThemeMenu(QWidget* parent) : QMenu(tr("&Theme"), parent) {
    auto* themes = new QActionGroup(this);
    const QString current = savedTheme();
    for (const auto& [key, label] : {std::pair{QStringLiteral("system"), tr("Follow the system")},
                                     std::pair{QStringLiteral("light"), tr("Light")},
                                     std::pair{QStringLiteral("dark"), tr("Dark")}}) {
        QAction* action = addAction(label);
        action->setCheckable(true);
        action->setChecked(key == current);
        themes->addAction(action);
        connect(action, &QAction::triggered, this, [key] {
            QSettings().setValue(QStringLiteral("theme"), key);
            Theme::apply(key);
        });
    }
}

void ThemeMenu::applySaved() {
    Theme::apply(savedTheme());
}

}  // namespace poolscope
