// The scenario catalogue the session serves the window: every built-in scenario with its
// description, typed parameters, declared checkpoints and kind, without a widget in sight.

#include <QtTest>

#include <cstddef>

#include "scenarios/GcLessonsScenario.h"
#include "scenarios/ScenarioRegistry.h"
#include "session/EngineSession.h"
#include "session/ScenarioCatalogue.h"

using namespace poolscope;

namespace {

const ScenarioCatalogue::Parameter* parameterNamed(const ScenarioCatalogue::Entry& entry,
                                                   const QString& name) {
    for (const ScenarioCatalogue::Parameter& parameter : entry.parameters) {
        if (parameter.name == name) {
            return &parameter;
        }
    }
    return nullptr;
}

}  // namespace

class ScenarioCatalogueTest : public QObject {
    Q_OBJECT

private slots:
    void catalogue_listsEveryBuiltInScenarioWithItsDescription() {
        const ScenarioCatalogue& catalogue = ScenarioCatalogue::builtIn();
        const std::vector<std::string> names = ScenarioRegistry::builtIn().names();
        QCOMPARE(catalogue.entries().size(), names.size());
        for (std::size_t i = 0; i < names.size(); ++i) {
            const ScenarioCatalogue::Entry& entry = catalogue.entries()[i];
            QCOMPARE(entry.name, QString::fromStdString(names[i]));
            QCOMPARE(
                entry.description,
                QString::fromStdString(ScenarioRegistry::builtIn().find(names[i])->description));
            QVERIFY(!entry.description.isEmpty());
        }
        QCOMPARE(&EngineSession::catalogue(), &catalogue);
    }

    void catalogue_servesTypedParametersWithTheirDefaultsAndRanges() {
        const ScenarioCatalogue::Entry* leakHunt =
            ScenarioCatalogue::builtIn().find(QStringLiteral("leak-hunt"));
        QVERIFY(leakHunt != nullptr);
        const ScenarioCatalogue::Parameter* width =
            parameterNamed(*leakHunt, QStringLiteral("width"));
        QVERIFY(width != nullptr);
        QCOMPARE(width->type, ScenarioCatalogue::Parameter::Type::Integer);
        QVERIFY(width->minimum.has_value() && width->maximum.has_value());
        QVERIFY(*width->minimum <= width->defaultText.toDouble());
        QVERIFY(width->defaultText.toDouble() <= *width->maximum);
        QVERIFY(width->expectation.contains(QStringLiteral("whole number")));

        const ScenarioCatalogue::Entry* defaultScenario =
            ScenarioCatalogue::builtIn().find(QStringLiteral("default"));
        QVERIFY(defaultScenario != nullptr);
        const ScenarioCatalogue::Parameter* leak =
            parameterNamed(*defaultScenario, QStringLiteral("leak"));
        QVERIFY(leak != nullptr);
        QCOMPARE(leak->type, ScenarioCatalogue::Parameter::Type::Boolean);
        QCOMPARE(leak->defaultText, QStringLiteral("false"));
    }

    void catalogue_servesTheKindEachScenarioDeclares() {
        const ScenarioCatalogue& catalogue = ScenarioCatalogue::builtIn();
        QCOMPARE(catalogue.find(QStringLiteral("gc-lessons"))->kind, ScenarioKind::Teaching);
        QCOMPARE(catalogue.find(QStringLiteral("gc-vs-pool"))->kind, ScenarioKind::Teaching);
        QCOMPARE(catalogue.find(QStringLiteral("leak-hunt"))->kind, ScenarioKind::LeakHunting);
        QCOMPARE(catalogue.find(QStringLiteral("default"))->kind, ScenarioKind::PoolBehaviour);
        QCOMPARE(catalogue.find(QStringLiteral("periodic-bursts"))->kind,
                 ScenarioKind::PoolBehaviour);
    }

    void catalogue_servesDeclaredCheckpointNamesOnly() {
        const ScenarioCatalogue::Entry* lessons =
            ScenarioCatalogue::builtIn().find(QStringLiteral("gc-lessons"));
        QVERIFY(lessons != nullptr);
        QStringList names;
        for (const GcLessonsScenario::Lesson& lesson : GcLessonsScenario::lessons()) {
            for (std::size_t step = 0; step < lesson.steps.size(); ++step) {
                names.append(
                    QString::fromStdString(GcLessonsScenario::checkpointName(lesson, step)));
            }
        }
        QCOMPARE(lessons->checkpointNames, names);
        QVERIFY(ScenarioCatalogue::builtIn()
                    .find(QStringLiteral("default"))
                    ->checkpointNames.isEmpty());
    }

    void catalogue_findsNothingForAnUnknownName() {
        QCOMPARE(ScenarioCatalogue::builtIn().find(QStringLiteral("no-such-scenario")), nullptr);
    }

    void engineSession_trySetScenario_explainsWhatItRefuses() {
        EngineSession session;
        const QString unknown = session.trySetScenario("no-such-scenario", {});
        QVERIFY2(unknown.contains(QStringLiteral("no-such-scenario")), qPrintable(unknown));
        QCOMPARE(session.scenarioName(), std::string("default"));
        const QString badValue = session.trySetScenario("leak-hunt", {{"width", "wide"}});
        QVERIFY2(badValue.contains(QStringLiteral("width")), qPrintable(badValue));
        QCOMPARE(session.trySetScenario("leak-hunt", {{"width", "640"}}), QString());
        QCOMPARE(session.scenarioName(), std::string("leak-hunt"));
    }
};

QTEST_MAIN(ScenarioCatalogueTest)
#include "ScenarioCatalogueTest.moc"
