// TLS and mutual TLS through the real server, with certificates the test
// makes with openssl: a CA, a server certificate for localhost/127.0.0.1,
// a client certificate from the same CA, and an impostor CA.
#include <cstdlib>
#include <filesystem>

#include "gtest/gtest.h"
#include "tests/support/test_files.h"
#include "tests/support/test_server.h"

namespace sorn {
namespace {

namespace fs = std::filesystem;
namespace pb = ::sorn::v1;

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(FreshTestDir("tls"));
    fs::create_directories(*dir_);
    const std::string d = dir_->string();
    const std::string script =
        "set -e; cd '" + d +
        "'; exec >openssl.log 2>&1\n"
        "cat > san.ext <<EOF\n"
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nEOF\n"
        "for ca in ca other; do\n"
        "  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=$ca "
        "-keyout $ca.key -out $ca.pem\n"
        "done\n"
        "for who in server client; do\n"
        "  openssl req -newkey rsa:2048 -nodes -subj /CN=$who "
        "-keyout $who.key -out $who.csr\n"
        "  openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial -days 2 -extfile san.ext -out $who.pem\n"
        "done\n"
        // A client certificate no CA the server trusts has signed.
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=rogue "
        "-keyout rogue.key -out rogue.pem\n";
    made_ =
        std::system(("bash -c \"$(cat <<'SCRIPT'\n" + script + "SCRIPT\n)\"")
                        .c_str()) == 0;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override {
    ASSERT_TRUE(made_) << ReadWholeFile(*dir_ / "openssl.log");
  }

  static std::string Pem(const std::string& name) {
    return ReadWholeFile(*dir_ / name);
  }
  static std::string Path(const std::string& name) {
    return (*dir_ / name).string();
  }
  static TestServerOptions Client(const std::string& ca,
                                  const std::string& who = "") {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = Pem(ca + ".pem");
    if (!who.empty()) {
      ssl.pem_cert_chain = Pem(who + ".pem");
      ssl.pem_private_key = Pem(who + ".key");
    }
    TestServerOptions o;
    o.credentials = grpc::SslCredentials(ssl);
    // The certificate names IP 127.0.0.1 too. Dialing the address rather
    // than "localhost" keeps gRPC's DNS resolver (c-ares, which leaks a few
    // bytes that LeakSanitizer reports) out of the test.
    o.host = "127.0.0.1";
    return o;
  }
  static std::vector<std::string> ServerFlags(bool mutual) {
    std::vector<std::string> flags = {"--tls_cert=" + Path("server.pem"),
                                      "--tls_key=" + Path("server.key")};
    if (mutual) flags.push_back("--tls_client_ca=" + Path("ca.pem"));
    return flags;
  }

  static fs::path* dir_;
  static bool made_;
};
fs::path* TlsTest::dir_ = nullptr;
bool TlsTest::made_ = false;

// Creates a session through `channel`; the call's status.
grpc::Status CreateVia(std::shared_ptr<grpc::Channel> channel,
                       const std::string& name) {
  auto stub = pb::Sorn::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  pb::CreateSessionRequest req;
  req.set_name(name);
  req.mutable_params()->set_ne(50);
  pb::SessionInfo info;
  return stub->CreateSession(&ctx, req, &info);
}

// Another client's channel to `server`.
std::shared_ptr<grpc::Channel> ChannelTo(const TestServer& server,
                                         const TestServerOptions& client) {
  return grpc::CreateChannel(client.host + ":" + std::to_string(server.port()),
                             client.credentials);
}

TEST_F(TlsTest, ServesTlsToClientsThatTrustItsCa) {
  TestServer server(ServerFlags(/*mutual=*/false), Client("ca"));
  ASSERT_TRUE(server.ok());
  EXPECT_TRUE(CreateVia(server.channel(), "over-tls").ok());
  // A plaintext client and a client trusting another CA get nowhere.
  EXPECT_EQ(CreateVia(grpc::CreateChannel(server.address(),
                                          grpc::InsecureChannelCredentials()),
                      "plain")
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(
      CreateVia(ChannelTo(server, Client("other")), "wrong-ca").error_code(),
      grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, MutualTlsRequiresAClientCertificateFromTheCa) {
  TestServer server(ServerFlags(/*mutual=*/true), Client("ca", "client"));
  ASSERT_TRUE(server.ok());
  EXPECT_TRUE(CreateVia(server.channel(), "mutual").ok());
  for (const std::string who : {"", "rogue"}) {
    EXPECT_EQ(
        CreateVia(ChannelTo(server, Client("ca", who)), "refused").error_code(),
        grpc::StatusCode::UNAVAILABLE)
        << "client certificate: " << (who.empty() ? "none" : who);
  }
}

TEST_F(TlsTest, IncompleteTlsFlagsStopTheServer) {
  for (const std::vector<std::string>& flags :
       {std::vector<std::string>{"--tls_cert=" + Path("server.pem")},
        std::vector<std::string>{"--tls_client_ca=" + Path("ca.pem")},
        std::vector<std::string>{"--tls_cert=" + Path("server.pem"),
                                 "--tls_key=" + Path("missing.key")},
        std::vector<std::string>{"--tls_cert=" + Path("san.ext"),
                                 "--tls_key=" + Path("server.key")}}) {
    TestServer server(flags);
    EXPECT_FALSE(server.ok()) << flags[0];
    const int status = server.Stop();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << flags[0];
  }
}

}  // namespace
}  // namespace sorn
