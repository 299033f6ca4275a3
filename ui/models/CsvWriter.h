#pragma once

#include <QSaveFile>
#include <QString>
#include <QStringList>
#include <QTextStream>

namespace poolscope {

// Writes comma-separated values, one record a line, quoting a field only when it holds a
// separator, a quote or a line break, with its quotes doubled (RFC 4180). The file appears
// whole on commit() or not at all.
class CsvWriter {
public:
    explicit CsvWriter(const QString& path);

    bool open();
    void writeRecord(const QStringList& fields);
    // False when the file could not be written; errorString() says why.
    bool commit();
    QString errorString() const { return file_.errorString(); }

    static QString field(const QString& text);

private:
    QSaveFile file_;
    QTextStream out_;
};

}  // namespace poolscope
