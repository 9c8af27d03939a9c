#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "connector/notify/mailer.hpp"

namespace mangfold::notify {

namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

Status write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return unavailable("mail spool: write failed: " + errno_text(errno));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

}  // namespace

SpoolMailer::SpoolMailer(std::string directory) : directory_(std::move(directory)) {}

std::string SpoolMailer::path_for(std::string_view message_id) const {
  std::string name;
  for (char c : message_id) {
    if (c == '<' || c == '>') continue;
    const bool safe =
        std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == '@';
    name += safe ? c : '_';
  }
  // A leading dot would hide the file and mark it as a temporary one.
  if (name.empty() || name.front() == '.') name.insert(0, "m");
  return (std::filesystem::path(directory_) / (name + ".eml")).string();
}

Status SpoolMailer::send(const Message& message) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(directory_, ec);
  if (ec) return unavailable("mail spool: cannot create " + directory_ + ": " + ec.message());
  const std::string target = path_for(message.message_id);
  if (fs::exists(target, ec)) return {};  // sent before: the same Message-ID is the same mail

  static std::atomic<unsigned> counter{0};
  const std::string temp = (fs::path(directory_) / (".tmp-" + std::to_string(::getpid()) + "-" +
                                                    std::to_string(counter++) + ".eml"))
                               .string();
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return unavailable("mail spool: cannot create " + temp + ": " + errno_text(errno));
  Status written = write_all(fd, to_mime(message));
  if (written.ok() && ::fsync(fd) != 0)
    written = unavailable("mail spool: fsync failed: " + errno_text(errno));
  ::close(fd);
  if (written.ok() && ::rename(temp.c_str(), target.c_str()) != 0)
    written = unavailable("mail spool: rename failed: " + errno_text(errno));
  if (!written.ok()) {
    ::unlink(temp.c_str());
    return written;
  }
  // The rename is durable only once the folder's entry is on disk.
  const int dir = ::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return {};
}

}  // namespace mangfold::notify
