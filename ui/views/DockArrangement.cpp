#include "views/DockArrangement.h"

#include <QDockWidget>
#include <QEvent>
#include <QMainWindow>
#include <QSettings>
#include <QTimer>

namespace poolscope {

namespace {

// The default shares of the window, per kind: the left column (pool map over timeline) against
// the right one (layout and heap tabbed over the leak table), and the tabs' share of the right
// column's height.
struct Shares {
    double leftColumn;
    double poolOverTimeline;
    double tabsOverLeaks;
    const char* raised;
};

Shares sharesFor(ScenarioKind kind) {
    switch (kind) {
        case ScenarioKind::Teaching:
            return {0.38, 0.45, 0.72, "gc"};
        case ScenarioKind::LeakHunting:
            return {0.38, 0.5, 0.34, "layout"};
        case ScenarioKind::PoolBehaviour:
            break;
    }
    return {0.52, 0.5, 0.42, "layout"};
}

int share(int total, double fraction) {
    return static_cast<int>(total * fraction);
}

}  // namespace

DockArrangement::DockArrangement(QMainWindow& window,
                                 std::vector<std::pair<QString, QDockWidget*>> docks)
    : QObject(&window), window_(window), docks_(std::move(docks)) {
    window_.installEventFilter(this);
}

QString DockArrangement::settingsKey(ScenarioKind kind) {
    switch (kind) {
        case ScenarioKind::Teaching:
            return QStringLiteral("window/state/teaching");
        case ScenarioKind::LeakHunting:
            return QStringLiteral("window/state/leak-hunting");
        case ScenarioKind::PoolBehaviour:
            break;
    }
    return QStringLiteral("window/state/pool-behaviour");
}

QDockWidget* DockArrangement::dock(const QString& name) const {
    for (const auto& [dockName, widget] : docks_) {
        if (dockName == name) {
            return widget;
        }
    }
    return nullptr;
}

void DockArrangement::arrangeFor(ScenarioKind kind) {
    if (kind_ == kind) {
        return;
    }
    QSettings settings;
    if (kind_) {
        save(settings);
    }
    kind_ = kind;
    const QByteArray saved = settings.value(settingsKey(kind)).toByteArray();
    if (saved.isEmpty() || !window_.restoreState(saved)) {
        placeDefault();
    }
}

void DockArrangement::reset() {
    if (!kind_) {
        return;
    }
    QSettings().remove(settingsKey(*kind_));
    placeDefault();
}

void DockArrangement::save(QSettings& settings) const {
    if (kind_) {
        settings.setValue(settingsKey(*kind_), window_.saveState());
    }
}

void DockArrangement::placeDefault() {
    QDockWidget* pool = dock(QStringLiteral("pool"));
    QDockWidget* timeline = dock(QStringLiteral("timeline"));
    QDockWidget* layout = dock(QStringLiteral("layout"));
    QDockWidget* gc = dock(QStringLiteral("gc"));
    QDockWidget* leaks = dock(QStringLiteral("leaks"));
    for (const auto& [name, widget] : docks_) {
        widget->setFloating(false);
        widget->show();
    }
    window_.addDockWidget(Qt::LeftDockWidgetArea, pool);
    window_.addDockWidget(Qt::RightDockWidgetArea, layout);
    window_.splitDockWidget(pool, timeline, Qt::Vertical);
    window_.splitDockWidget(layout, leaks, Qt::Vertical);
    window_.tabifyDockWidget(layout, gc);
    // The run's results wait behind the leak table, the side-by-side panes behind the heap.
    if (QDockWidget* compare = dock(QStringLiteral("compare"))) {
        window_.tabifyDockWidget(gc, compare);
    }
    // A launched program's open descriptors wait there too.
    if (QDockWidget* resources = dock(QStringLiteral("resources"))) {
        window_.tabifyDockWidget(leaks, resources);
    }
    // The recording's analyses wait behind the timeline: a fourth tab on the right would widen
    // that column past what the window's smallest width leaves it.
    if (QDockWidget* analyses = dock(QStringLiteral("analyses"))) {
        window_.tabifyDockWidget(timeline, analyses);
        // What the pool would have done with the same recording, beside its analyses.
        if (QDockWidget* whatIf = dock(QStringLiteral("whatif"))) {
            window_.tabifyDockWidget(analyses, whatIf);
        }
        timeline->raise();
    }
    if (QDockWidget* results = dock(QStringLiteral("results"))) {
        window_.tabifyDockWidget(leaks, results);
        leaks->raise();
    }
    dock(QString::fromLatin1(sharesFor(kind_.value_or(ScenarioKind::PoolBehaviour)).raised))
        ->raise();
    resizePending_ = true;
    if (window_.isVisible()) {
        resizeDefault();
    }
}

void DockArrangement::resizeDefault() {
    resizePending_ = false;
    const Shares shares = sharesFor(kind_.value_or(ScenarioKind::PoolBehaviour));
    QDockWidget* pool = dock(QStringLiteral("pool"));
    QDockWidget* timeline = dock(QStringLiteral("timeline"));
    QDockWidget* leaks = dock(QStringLiteral("leaks"));
    // Shares of the whole window: resizeDocks keeps their proportions within what the
    // toolbars and the status bar leave.
    const int width = window_.width();
    const int height = window_.height();
    window_.resizeDocks({pool, leaks},
                        {share(width, shares.leftColumn), share(width, 1.0 - shares.leftColumn)},
                        Qt::Horizontal);
    window_.resizeDocks(
        {pool, timeline},
        {share(height, shares.poolOverTimeline), share(height, 1.0 - shares.poolOverTimeline)},
        Qt::Vertical);
    window_.resizeDocks(
        {dock(QString::fromLatin1(shares.raised)), leaks},
        {share(height, shares.tabsOverLeaks), share(height, 1.0 - shares.tabsOverLeaks)},
        Qt::Vertical);
}

bool DockArrangement::eventFilter(QObject* watched, QEvent* event) {
    // Once shown, the window lays its docks out; the sizes are set after that.
    if (watched == &window_ && resizePending_ && event->type() == QEvent::Show) {
        QTimer::singleShot(0, this, [this] {
            if (resizePending_) {
                resizeDefault();
            }
        });
    }
    return QObject::eventFilter(watched, event);
}

}  // namespace poolscope
