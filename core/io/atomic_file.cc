// Atomic whole-file replacement. See atomic_file.h for the contract.
#include "core/io/atomic_file.h"

#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/random.h>
#endif

#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <memory>

namespace sdndb {

namespace {

constexpr char kTempMarker[] = ".sdndb-tmp.";
constexpr char kBackupSuffix[] = ".old";

uint64_t Mix(uint64_t x) {  // splitmix64 finalizer
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t RandomSuffix() {
  uint64_t r = 0;
#if defined(__linux__)
  if (::getrandom(&r, sizeof r, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof r)) return r;
#endif
  // Fallback: unique enough within a process (counter) and across processes (pid is in
  // the name too); O_EXCL catches the rest.
  static std::atomic<uint64_t> counter{0};
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return Mix(static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec)) ^
         Mix(counter.fetch_add(1) + (static_cast<uint64_t>(::getpid()) << 32));
}

std::string TempName(const std::string& name) {
  char tail[64];
  std::snprintf(tail, sizeof tail, "%ld.%016" PRIx64, static_cast<long>(::getpid()), RandomSuffix());
  return "." + name + kTempMarker + tail;
}

Status StepFailed(const std::string& path, const char* step, const Status& cause,
                  const char* outcome) {
  return Status(cause.code() == StatusCode::kOk ? StatusCode::kIOError : cause.code(),
                "replace " + path + ": " + step + " failed: " + cause.message() + "; " + outcome);
}

bool AllOf(const std::string& s, size_t from, size_t to, bool (*pred)(char)) {
  if (from >= to) return false;
  for (size_t i = from; i < to; ++i) {
    if (!pred(s[i])) return false;
  }
  return true;
}

}  // namespace

bool IsOurTempFile(const std::string& target_name, const std::string& candidate) {
  // ".<name>.sdndb-tmp.<pid>.<hex>" or the rollback link "<that>.old".
  const std::string prefix = "." + target_name + kTempMarker;
  if (target_name.empty() || candidate.compare(0, prefix.size(), prefix) != 0) return false;
  size_t end = candidate.size();
  const size_t suffix_len = sizeof(kBackupSuffix) - 1;
  if (end > prefix.size() + suffix_len &&
      candidate.compare(end - suffix_len, suffix_len, kBackupSuffix) == 0) {
    end -= suffix_len;
  }
  size_t dot = candidate.find('.', prefix.size());
  if (dot == std::string::npos || dot >= end) return false;
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  auto is_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  return AllOf(candidate, prefix.size(), dot, is_digit) && AllOf(candidate, dot + 1, end, is_hex);
}

Status ReplaceFileAtomically(Env* env, const std::string& path, std::string_view bytes,
                             const AtomicWriteOptions& options) {
  static const char kUntouched[] = "the original file is unchanged";

  std::string target;
  Status s = env->ResolvePath(path, &target);
  if (!s.ok()) return StepFailed(path, "resolving the path", s, kUntouched);
  FileInfo info;
  s = env->Stat(target, &info);
  if (!s.ok()) return StepFailed(path, "stat", s, kUntouched);
  if (info.exists && info.is_dir) {
    return Status::InvalidArgument("replace " + path + ": is a folder, not a file");
  }
  if (info.exists && (info.mode & 0222) == 0) {
    // The rename would replace it anyway (only the folder's permissions count): a file nobody
    // may write is refused, as a plain write would be.
    char octal[16];
    std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(info.mode));
    return Status::IOError("replace " + path + ": the file is read-only (mode " + octal +
                           "); not replaced (make it writable to edit it)");
  }
  const uint32_t mode = info.exists ? info.mode : 0644;
  const std::string dir = DirName(target);
  const std::string tmp = dir + "/" + TempName(BaseName(target));

  std::unique_ptr<WritableFile> file;
  s = env->NewExclusiveFile(tmp, mode, &file);
  // Not removed on failure: with EEXIST the name would belong to someone else.
  if (!s.ok()) return StepFailed(path, "creating the temp file", s, kUntouched);

  auto abandon = [&](const char* step, const Status& cause) {
    file->Close();  // result irrelevant: the temp file is discarded
    env->Remove(tmp);
    return StepFailed(path, step, cause, kUntouched);
  };
  s = file->Append(bytes);
  if (!s.ok()) return abandon("writing the temp file", s);
  if (options.durable) {
    s = file->Sync();  // never retried (see header)
    if (!s.ok()) return abandon("fsync of the temp file", s);
  }
  s = file->Close();
  if (!s.ok()) return abandon("closing the temp file", s);

  // In durable mode a second name for the current content lets a failed folder fsync undo
  // the rename, so that every failure leaves the original in place. Best effort: without
  // hard links the replace still works, only that rollback is unavailable.
  std::string backup;
  if (options.durable && info.exists) {
    backup = tmp + kBackupSuffix;
    if (!env->Link(target, backup).ok()) backup.clear();
  }

  s = env->Rename(tmp, target);
  if (!s.ok()) {
    env->Remove(tmp);
    if (!backup.empty()) env->Remove(backup);
    return StepFailed(path, "rename over the target", s, kUntouched);
  }

  if (options.durable) {
    s = env->SyncDir(dir);
    if (!s.ok()) {
      if (!backup.empty()) {
        Status undo = env->Rename(backup, target);
        if (undo.ok()) return StepFailed(path, "fsync of the folder", s, "the original file was restored");
        env->Remove(backup);
        return StepFailed(path, "fsync of the folder", s,
                          ("the new content is in place but may not survive a power loss (restoring the "
                           "original failed: " + undo.message() + ")").c_str());
      }
      if (!info.exists) {
        env->Remove(target);  // the "original" was no file at all
        return StepFailed(path, "fsync of the folder", s, "the new file was removed again");
      }
      return StepFailed(path, "fsync of the folder", s,
                        "the new content is in place but may not survive a power loss");
    }
  }
  if (!backup.empty()) env->Remove(backup);  // leftovers are removed by CleanupTempFiles
  return Status::OK();
}

Status CleanupTempFiles(Env* env, const std::string& path, int* removed) {
  *removed = 0;
  std::string target;
  SDNDB_RETURN_IF_ERROR(env->ResolvePath(path, &target));
  const std::string dir = DirName(target);
  const std::string name = BaseName(target);
  std::vector<std::string> names;
  SDNDB_RETURN_IF_ERROR(env->ListDir(dir, &names));
  Status first_error;
  for (const std::string& n : names) {
    if (!IsOurTempFile(name, n)) continue;
    Status s = env->Remove(dir + "/" + n);
    if (s.ok()) {
      ++*removed;
    } else if (first_error.ok()) {
      first_error = s;
    }
  }
  return first_error;
}

}  // namespace sdndb
