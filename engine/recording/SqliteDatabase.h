#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "recording/RecordingError.h"

struct sqlite3;
struct sqlite3_stmt;

namespace poolscope {

// What SQLite said, beside the full message: readers word their own errors around it.
class SqliteError : public RecordingError {
public:
    SqliteError(const std::string& message, std::string reason)
        : RecordingError(message), reason_(std::move(reason)) {}
    const std::string& reason() const { return reason_; }

private:
    std::string reason_;
};

// A thin owner of one SQLite connection and its prepared statements. Every failure becomes a
// SqliteError that names the file and carries SQLite's own words.
class SqliteDatabase {
public:
    class Statement {
    public:
        Statement(SqliteDatabase& database, std::string_view sql);
        ~Statement();
        Statement(const Statement&) = delete;
        Statement& operator=(const Statement&) = delete;

        Statement& bind(int index, std::int64_t value);
        Statement& bind(int index, const std::string& value);
        Statement& bindBlob(int index, std::span<const unsigned char> value);
        Statement& bindNull(int index);
        // True while there is a row to read.
        bool step();
        // Runs a statement that returns no rows, and makes it ready to run again.
        void execute();
        void reset();

        std::int64_t integer(int column) const;
        std::string text(int column) const;
        // Valid until the next step() or reset().
        std::span<const unsigned char> blob(int column) const;
        bool isNull(int column) const;

    private:
        SqliteDatabase& database_;
        sqlite3_stmt* statement_ = nullptr;
    };

    enum class Mode { CreateNew, ReadOnly };

    SqliteDatabase(const std::string& path, Mode mode);
    ~SqliteDatabase();
    SqliteDatabase(const SqliteDatabase&) = delete;
    SqliteDatabase& operator=(const SqliteDatabase&) = delete;

    void execute(std::string_view sql);
    // The statement of `sql`, prepared the first time it is asked for and kept with the
    // connection, reset and ready to bind: a recording runs the same few inserts in every
    // transaction, and preparing one costs SQLite more than running it.
    Statement& cached(std::string_view sql);
    const std::string& path() const { return path_; }
    // How long a statement waits for another connection's lock before it fails as busy.
    void setBusyTimeout(std::chrono::milliseconds timeout);

    // A statement of this connection still running at `deadline` stops there (its step()
    // throws) and deadlinePassed() turns true: a reader's checks of a huge file end in bounded
    // time. time_point::max() lifts the limit.
    void setDeadline(std::chrono::steady_clock::time_point deadline);
    bool deadlinePassed() const { return deadlinePassed_; }

    // "<context> in <path>: <sqlite's message>"
    [[noreturn]] void fail(const std::string& context) const;
    [[noreturn]] void fail(const std::string& context, int code) const;

private:
    std::string path_;
    sqlite3* handle_ = nullptr;
    std::unordered_map<std::string, std::unique_ptr<Statement>> cached_;
    std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
    bool deadlinePassed_ = false;
};

}  // namespace poolscope
