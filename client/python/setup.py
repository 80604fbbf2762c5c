"""Build step of the sorn-client package (metadata in pyproject.toml): the
gRPC stubs, sorn_client_pb, generated from the repository's
proto/sorn/v1/sorn.proto with protoc and grpc_python_plugin (Debian's
protobuf-compiler and protobuf-compiler-grpc), so that they always match the
server's API and are never checked in. $SORN_PROTO names another sorn.proto."""

import os
import shutil
import subprocess
import tempfile

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO = os.environ.get("SORN_PROTO",
                       os.path.join(HERE, "..", "..", "proto", "sorn", "v1", "sorn.proto"))


class BuildWithStubs(build_py):
    def run(self):
        super().run()
        out = os.path.join(self.build_lib)
        plugin = shutil.which("grpc_python_plugin")
        protoc = shutil.which("protoc")
        if not (plugin and protoc and os.path.exists(PROTO)):
            raise RuntimeError(f"the stubs need protoc, grpc_python_plugin and {PROTO}")
        with tempfile.TemporaryDirectory() as stage:
            # Staged as sorn_client_pb/sorn.proto so that the generated
            # module imports itself as sorn_client_pb.sorn_pb2.
            os.makedirs(os.path.join(stage, "sorn_client_pb"))
            shutil.copy(PROTO, os.path.join(stage, "sorn_client_pb", "sorn.proto"))
            os.makedirs(os.path.join(out, "sorn_client_pb"), exist_ok=True)
            subprocess.run([protoc, f"--proto_path={stage}", f"--python_out={out}",
                            f"--grpc_python_out={out}",
                            f"--plugin=protoc-gen-grpc_python={plugin}",
                            os.path.join(stage, "sorn_client_pb", "sorn.proto")], check=True)
        open(os.path.join(out, "sorn_client_pb", "__init__.py"), "a").close()


setup(cmdclass={"build_py": BuildWithStubs})
