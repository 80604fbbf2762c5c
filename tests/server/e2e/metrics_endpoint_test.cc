// The Prometheus endpoint (--metrics_port) under clients that open a
// connection and never finish their request: scrapes must still be answered
// at once, and a stalled connection must be closed after
// --metrics_request_timeout_ms, however slowly its bytes trickle in.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/api_calls.h"
#include "tests/support/test_environment.h"
#include "tests/support/test_server.h"

namespace sorn {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A TCP connection to 127.0.0.1:port (-1 on failure), closed when it goes.
class Connection {
 public:
  explicit Connection(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ >= 0 &&
        connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~Connection() {
    if (fd_ >= 0) close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool ok() const { return fd_ >= 0; }
  bool Send(const std::string& bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // Reads until the server closes the connection (true) or `seconds` pass
  // (false); what arrived is appended to *received.
  bool ReadUntilClosed(double seconds, std::string* received) {
    const Clock::time_point end =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(seconds));
    char buffer[4096];
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - Clock::now());
      if (left.count() <= 0) return false;
      pollfd p = {fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) return true;  // 0: closed; < 0: reset, closed too.
      received->append(buffer, static_cast<size_t>(n));
    }
  }

 private:
  int fd_;
};

// The first part of a scrape, without the blank line that ends it.
constexpr char kHalfRequest[] = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n";

// One full scrape: the response and how long it took; fails the test if
// the server does not answer within `seconds`.
std::string Scrape(int port, double seconds, double* took) {
  const Clock::time_point start = Clock::now();
  Connection c(port);
  EXPECT_TRUE(c.ok());
  EXPECT_TRUE(c.Send(std::string(kHalfRequest) + "Connection: close\r\n\r\n"));
  std::string response;
  EXPECT_TRUE(c.ReadUntilClosed(seconds, &response))
      << "no complete answer within " << seconds << " s";
  *took = SecondsSince(start);
  return response;
}

// Half-sent requests, held open.
std::vector<std::unique_ptr<Connection>> Stall(int port, int count) {
  std::vector<std::unique_ptr<Connection>> stalled;
  for (int i = 0; i < count; ++i) {
    stalled.push_back(std::make_unique<Connection>(port));
    EXPECT_TRUE(stalled.back()->ok());
    EXPECT_TRUE(stalled.back()->Send(kHalfRequest));
  }
  // Let the server's workers take them up before the scrape arrives, as
  // they would if the stalled clients came first.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  return stalled;
}

// The value of the sample line `name` (the whole name, labels included) in a
// scrape, or -1 if there is none.
double Sample(const std::string& scrape, const std::string& name) {
  const size_t at = scrape.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(scrape.substr(at + name.size() + 2));
}

TEST(MetricsEndpointTest, BuildInfoAndProcessMetricsAreServed) {
  TestServer server({"--metrics_port=0", "--log_rpcs=false"});
  ASSERT_TRUE(server.ok());
  double took = 0;
  const std::string scrape = Scrape(server.metrics_port(), 5, &took);
  EXPECT_EQ(Sample(scrape, "sorn_build_info{api=\"sorn.v1\",version=\"" +
                               std::string(SORN_VERSION) + "\"}"),
            1)
      << scrape;
  // A running gRPC server holds megabytes, several threads and sockets,
  // started within the last minutes, and has used some CPU.
  EXPECT_GT(Sample(scrape, "process_resident_memory_bytes"), 1e6);
  EXPECT_LT(Sample(scrape, "process_resident_memory_bytes"), 1e10);
  EXPECT_GE(Sample(scrape, "process_threads"), 2);
  EXPECT_GE(Sample(scrape, "process_open_fds"), 3);
  EXPECT_GE(Sample(scrape, "process_cpu_seconds_total"), 0);
  const double started = Sample(scrape, "process_start_time_seconds");
  EXPECT_NEAR(started, double(time(nullptr)), 600) << scrape;
}

TEST(MetricsEndpointTest, ScrapesAreAnsweredWhileClientsStall) {
  // Default threads (4) and timeout (5 s); three clients stall.
  TestServer server({"--metrics_port=0", "--log_rpcs=false"});
  ASSERT_TRUE(server.ok());
  ASSERT_GT(server.metrics_port(), 0);
  auto stub = server.NewStub();
  ASSERT_TRUE(CreateTestSession(stub.get(), "counted").ok());
  auto stalled = Stall(server.metrics_port(), 3);
  const double bound = 2 * TimeScale();
  for (int i = 0; i < 3; ++i) {  // each scrape, not only the first.
    double took = 0;
    const std::string response = Scrape(server.metrics_port(), bound, &took);
    EXPECT_EQ(response.rfind("HTTP/1.1 200", 0), 0) << response.substr(0, 200);
    EXPECT_NE(response.find("\nsorn_sessions{tenant=\"local\"} 1\n"),
              std::string::npos)
        << response;
    EXPECT_LT(took, bound);
  }
  // The stalled clients were held, not dropped, meanwhile: they are closed
  // by the timeout only.
  for (auto& c : stalled) {
    std::string ignored;
    EXPECT_FALSE(c->ReadUntilClosed(0.1, &ignored));
  }
}

TEST(MetricsEndpointTest, StalledConnectionsAreClosedAfterTheTimeout) {
  TestServer server({"--metrics_port=0", "--metrics_request_timeout_ms=1000",
                     "--log_rpcs=false"});
  ASSERT_TRUE(server.ok());
  ASSERT_GT(server.metrics_port(), 0);
  const double slack = 2 * TimeScale();
  // One client sends half a request and stops ...
  Connection stalled(server.metrics_port());
  ASSERT_TRUE(stalled.ok());
  const Clock::time_point start = Clock::now();
  ASSERT_TRUE(stalled.Send(kHalfRequest));
  // ... another trickles a header byte every 100 ms, which must not keep
  // its connection open past the timeout either.
  Connection trickling(server.metrics_port());
  ASSERT_TRUE(trickling.ok());
  ASSERT_TRUE(trickling.Send(kHalfRequest));
  std::string received;
  bool trickle_closed = false;
  double trickle_seconds = 0;
  for (int i = 0; i < 10 * (1 + slack) && !trickle_closed; ++i) {
    if (!trickling.Send("X")) {  // sending to a closed socket fails.
      trickle_closed = true;
      break;
    }
    trickle_closed = trickling.ReadUntilClosed(0.1, &received);
  }
  trickle_seconds = SecondsSince(start);
  EXPECT_TRUE(trickle_closed) << "still open after " << trickle_seconds << " s";
  EXPECT_GT(trickle_seconds, 0.8);  // closed by the timeout, not at once.
  EXPECT_LT(trickle_seconds, 1 + slack);

  EXPECT_TRUE(
      stalled.ReadUntilClosed(1 + slack - SecondsSince(start), &received));
  const double stalled_seconds = SecondsSince(start);
  EXPECT_GT(stalled_seconds, 0.8);
  EXPECT_LT(stalled_seconds, 1 + slack);
}

TEST(MetricsEndpointTest,
     MoreStalledClientsThanThreadsDelayAScrapeByTheTimeout) {
  // Every thread held: the scrape waits in the queue until the timeout frees
  // one, and is answered then.
  TestServer server({"--metrics_port=0", "--metrics_threads=2",
                     "--metrics_request_timeout_ms=1000", "--log_rpcs=false"});
  ASSERT_TRUE(server.ok());
  auto stalled = Stall(server.metrics_port(), 3);
  double took = 0;
  const std::string response =
      Scrape(server.metrics_port(), 1 + 2 * TimeScale(), &took);
  EXPECT_EQ(response.rfind("HTTP/1.1 200", 0), 0) << response.substr(0, 200);
  EXPECT_NE(response.find("\nsorn_reserved_memory_bytes 0\n"),
            std::string::npos)
      << response;
  EXPECT_LT(took, 1 + 2 * TimeScale());
}

TEST(MetricsEndpointTest, BadFlagValuesStopTheServer) {
  for (const char* flag : {"--metrics_threads=0", "--metrics_threads=65",
                           "--metrics_request_timeout_ms=0"}) {
    TestServer server({"--metrics_port=0", flag});
    EXPECT_FALSE(server.ok()) << flag;
    const int status = server.Stop();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << flag;
  }
}

}  // namespace
}  // namespace sorn
