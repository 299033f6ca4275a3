#include "models/CsvWriter.h"

namespace poolscope {

CsvWriter::CsvWriter(const QString& path) : file_(path) {}

bool CsvWriter::open() {
    if (!file_.open(QIODevice::WriteOnly | QIODevice::Text)) {
        return false;
    }
    out_.setDevice(&file_);
    return true;
}

void CsvWriter::writeRecord(const QStringList& fields) {
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i > 0) {
            out_ << ',';
        }
        out_ << field(fields[i]);
    }
    out_ << '\n';
}

bool CsvWriter::commit() {
    out_.flush();
    return out_.status() == QTextStream::Ok && file_.commit();
}

QString CsvWriter::field(const QString& text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r'))) {
        return text;
    }
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

}  // namespace poolscope
