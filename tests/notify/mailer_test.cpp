// The spool mailer (atomic, once per Message-ID) and the SMTP mailer's configuration
// checks and its answer when nothing listens.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "connector/notify/mailer.hpp"
#include "tests/support/process.hpp"

namespace mangfold::notify {
namespace {

namespace fs = std::filesystem;

Message sample(std::string id = "<mf-abc@oslo.example.no>") {
  Message m;
  m.from = {"Mangfold", "mangfold@oslo.example.no"};
  m.to = {{"Kåre", "kare@oslo.example.no"}};
  m.subject = "Prøve";
  m.text = "Hei\n";
  m.html = "<p>Hei</p>";
  m.message_id = std::move(id);
  m.date = 1772442000;
  return m;
}

SmtpOptions smtp(std::string url) {
  SmtpOptions o;
  o.url = std::move(url);
  return o;
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST_CASE("the spool mailer writes <Message-ID>.eml once, atomically, creating the folder") {
  mangfold::testing::TempDir dir;
  const std::string spool = dir.path() + "/var/mail";
  SpoolMailer mailer(spool);
  REQUIRE(mailer.send(sample()).ok());
  CHECK(files_in(spool) == std::vector<std::string>{"mf-abc@oslo.example.no.eml"});
  CHECK(mangfold::testing::read_file(spool + "/mf-abc@oslo.example.no.eml") == to_mime(sample()));
  // The same message again (a retried send): still one file, unchanged.
  Message again = sample();
  again.subject = "changed";
  REQUIRE(mailer.send(again).ok());
  CHECK(files_in(spool) == std::vector<std::string>{"mf-abc@oslo.example.no.eml"});
  CHECK(mangfold::testing::read_file(spool + "/mf-abc@oslo.example.no.eml") == to_mime(sample()));
  REQUIRE(mailer.send(sample("<mf-def@oslo.example.no>")).ok());
  CHECK(files_in(spool).size() == 2);  // no temporary files left behind
  // Message-IDs cannot leave the folder.
  CHECK(mailer.path_for("<../../etc/passwd>") == spool + "/m.._.._etc_passwd.eml");
  CHECK(fs::path(mailer.path_for("<.hidden>")).filename() == "m.hidden.eml");
}

TEST_CASE("the spool mailer reports an unwritable folder as temporary") {
  mangfold::testing::TempDir dir;
  mangfold::testing::write_file(dir.path() + "/file", "x");
  SpoolMailer mailer(dir.path() + "/file/mail");  // a file where the folder should be
  const Status s = mailer.send(sample());
  CHECK(s.code() == StatusCode::kUnavailable);
}

TEST_CASE("SMTP options are checked at start-up") {
  CHECK(SmtpMailer::validate(smtp("smtp://mail.example.org:25")).ok());
  CHECK(SmtpMailer::validate(smtp("SMTPS://mail.example.org")).ok());
  CHECK(SmtpMailer::validate(smtp("smtp://mail.example.org/mangfold.example.org")).ok());
  for (const char* bad :
       {"", "mail.example.org", "http://mail.example.org", "smtp://", "smtp://:25"}) {
    CAPTURE(bad);
    CHECK(SmtpMailer::validate(smtp(bad)).code() == StatusCode::kInvalidArgument);
  }
  SmtpOptions zero = smtp("smtp://mail.example.org");
  zero.timeout_ms = 0;
  CHECK(SmtpMailer::validate(zero).code() == StatusCode::kInvalidArgument);
}

TEST_CASE("SMTP to a port where nothing listens is a temporary failure") {
  // Take a free port from the kernel, then close it: connecting is refused.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  const int port = ntohs(addr.sin_port);
  ::close(fd);
  SmtpOptions options = smtp("smtp://127.0.0.1:" + std::to_string(port));
  options.connect_timeout_ms = 2000;
  SmtpMailer mailer(options);
  const Status s = mailer.send(sample());
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK(s.message().rfind("smtp: ", 0) == 0);
}

}  // namespace
}  // namespace mangfold::notify
