#pragma once

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

// Runs the built poolscope binary (POOLSCOPE_BINARY, set by the tests' CMakeLists.txt), and the
// programs it reports on, the way a person or CI would, for the end-to-end command-line tests.

constexpr int kProcessTimeoutMilliseconds = 120'000;

struct Finished {
    int exitCode = -1;  // -1 when the process did not exit normally
    QString out;
    QString err;
};

// This environment without any display, so poolscope must choose its headless paths.
inline QProcessEnvironment withoutAnyDisplay() {
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("DISPLAY"));
    environment.remove(QStringLiteral("WAYLAND_DISPLAY"));
    environment.remove(QStringLiteral("QT_QPA_PLATFORM"));
    return environment;
}

inline Finished runProgram(const QString& program, const QStringList& arguments,
                           const QProcessEnvironment& environment) {
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(program, arguments);
    Finished result;
    if (!process.waitForFinished(kProcessTimeoutMilliseconds) ||
        process.exitStatus() != QProcess::NormalExit) {
        process.kill();
        process.waitForFinished();
        result.err = program + QStringLiteral(" did not exit normally: ") + process.errorString();
        return result;
    }
    result.exitCode = process.exitCode();
    result.out = QString::fromLocal8Bit(process.readAllStandardOutput());
    result.err = QString::fromLocal8Bit(process.readAllStandardError());
    return result;
}

inline Finished runPoolscope(
    const QStringList& arguments,
    const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment()) {
    return runProgram(QStringLiteral(POOLSCOPE_BINARY), arguments, environment);
}

inline Finished runHeadless(const QStringList& arguments) {
    return runPoolscope(arguments, withoutAnyDisplay());
}

// The JSON object in the file at `path`; empty when there is none.
inline QJsonObject readJson(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QJsonDocument::fromJson(file.readAll()).object();
}
