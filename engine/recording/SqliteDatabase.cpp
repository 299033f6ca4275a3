#include "recording/SqliteDatabase.h"

#include <sqlite3.h>

namespace poolscope {

SqliteDatabase::SqliteDatabase(const std::string& path, Mode mode) : path_(path) {
    const int flags =
        mode == Mode::CreateNew ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    const int code = sqlite3_open_v2(path.c_str(), &handle_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (code != SQLITE_OK) {
        const std::string message =
            handle_ != nullptr ? sqlite3_errmsg(handle_) : sqlite3_errstr(code);
        sqlite3_close(handle_);
        handle_ = nullptr;
        throw SqliteError("cannot open " + path + ": " + message, message);
    }
    sqlite3_extended_result_codes(handle_, 1);
    // A reader of a recording still being written waits for the writer's commit, briefly.
    sqlite3_busy_timeout(handle_, 2000);
}

SqliteDatabase::~SqliteDatabase() {
    cached_.clear();
    // close_v2: a statement finalized after its database (member order, an exception) still
    // lets the connection go, instead of leaving it open for good as sqlite3_close would.
    sqlite3_close_v2(handle_);
}

void SqliteDatabase::setBusyTimeout(std::chrono::milliseconds timeout) {
    sqlite3_busy_timeout(handle_, static_cast<int>(timeout.count()));
}

void SqliteDatabase::fail(const std::string& context) const {
    const std::string reason = sqlite3_errmsg(handle_);
    throw SqliteError(context + " in " + path_ + ": " + reason, reason);
}

void SqliteDatabase::fail(const std::string& context, int code) const {
    const std::string reason = sqlite3_errstr(code);
    throw SqliteError(context + " in " + path_ + ": " + reason, reason);
}

void SqliteDatabase::setDeadline(std::chrono::steady_clock::time_point deadline) {
    deadline_ = deadline;
    deadlinePassed_ = false;
    if (deadline == std::chrono::steady_clock::time_point::max()) {
        sqlite3_progress_handler(handle_, 0, nullptr, nullptr);
        return;
    }
    // Every few thousand virtual machine steps: often enough to stop within milliseconds,
    // rarely enough that reading the clock costs nothing.
    sqlite3_progress_handler(
        handle_, 4096,
        [](void* self) {
            auto* database = static_cast<SqliteDatabase*>(self);
            database->deadlinePassed_ = std::chrono::steady_clock::now() >= database->deadline_;
            return database->deadlinePassed_ ? 1 : 0;
        },
        this);
}

void SqliteDatabase::execute(std::string_view sql) {
    char* error = nullptr;
    const int code = sqlite3_exec(handle_, std::string(sql).c_str(), nullptr, nullptr, &error);
    if (code != SQLITE_OK) {
        const std::string message = error != nullptr ? error : sqlite3_errstr(code);
        sqlite3_free(error);
        throw SqliteError(
            "cannot run '" + std::string(sql.substr(0, 60)) + "' in " + path_ + ": " + message,
            message);
    }
}

SqliteDatabase::Statement& SqliteDatabase::cached(std::string_view sql) {
    auto found = cached_.find(std::string(sql));
    if (found == cached_.end()) {
        found = cached_.emplace(std::string(sql), std::make_unique<Statement>(*this, sql)).first;
    } else {
        // A use that threw half way may have left bindings or a step behind.
        found->second->reset();
    }
    return *found->second;
}

SqliteDatabase::Statement::Statement(SqliteDatabase& database, std::string_view sql)
    : database_(database) {
    const int code = sqlite3_prepare_v2(database.handle_, sql.data(), static_cast<int>(sql.size()),
                                        &statement_, nullptr);
    if (code != SQLITE_OK) {
        database.fail("cannot prepare '" + std::string(sql.substr(0, 60)) + "'");
    }
}

SqliteDatabase::Statement::~Statement() {
    sqlite3_finalize(statement_);
}

SqliteDatabase::Statement& SqliteDatabase::Statement::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(statement_, index, value);
    return *this;
}

SqliteDatabase::Statement& SqliteDatabase::Statement::bind(int index, const std::string& value) {
    sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()),
                      SQLITE_TRANSIENT);
    return *this;
}

SqliteDatabase::Statement& SqliteDatabase::Statement::bindBlob(
    int index, std::span<const unsigned char> value) {
    // A zero-length blob is still a blob, not null: SQLite wants a non-null pointer for that.
    static const unsigned char kNothing = 0;
    sqlite3_bind_blob64(statement_, index, value.empty() ? &kNothing : value.data(),
                        static_cast<sqlite3_uint64>(value.size()), SQLITE_TRANSIENT);
    return *this;
}

SqliteDatabase::Statement& SqliteDatabase::Statement::bindNull(int index) {
    sqlite3_bind_null(statement_, index);
    return *this;
}

bool SqliteDatabase::Statement::step() {
    const int code = sqlite3_step(statement_);
    if (code == SQLITE_ROW) {
        return true;
    }
    if (code == SQLITE_DONE) {
        return false;
    }
    sqlite3_reset(statement_);
    database_.fail("cannot read or write", code);
}

void SqliteDatabase::Statement::execute() {
    while (step()) {
    }
    reset();
}

void SqliteDatabase::Statement::reset() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
}

std::int64_t SqliteDatabase::Statement::integer(int column) const {
    return sqlite3_column_int64(statement_, column);
}

std::string SqliteDatabase::Statement::text(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
    return text != nullptr
               ? std::string(text,
                             static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)))
               : std::string();
}

std::span<const unsigned char> SqliteDatabase::Statement::blob(int column) const {
    const auto* bytes = static_cast<const unsigned char*>(sqlite3_column_blob(statement_, column));
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement_, column));
    return bytes != nullptr ? std::span<const unsigned char>(bytes, size)
                            : std::span<const unsigned char>();
}

bool SqliteDatabase::Statement::isNull(int column) const {
    return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

}  // namespace poolscope
