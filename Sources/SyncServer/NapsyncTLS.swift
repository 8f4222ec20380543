import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL

/// The TLS settings of a node, read from the PEM files its configuration names (`tls.certificate`, `tls.key`,
/// `tls.ca`). Loaded once at start, so a missing or malformed file stops `serve` with a configuration error.
public struct NapsyncTLS: Sendable {
    /// How the HTTP server answers: nil serves plain HTTP.
    public let server: TLSConfiguration?
    /// How the client checks `https://` peers: the `tls.ca` bundle, else the system's CAs; hostnames verified.
    public let client: TLSConfiguration
    /// How `napsync sync` reaches the local daemon over loopback: it also trusts the daemon's own certificate and
    /// does not check the hostname (the certificate names the host, the request goes to 127.0.0.1).
    public let localDaemonClient: TLSConfiguration

    public init(configuration: NapsyncConfiguration) throws(ConfigurationError) {
        var client = TLSConfiguration.makeClientConfiguration()
        client.minimumTLSVersion = .tlsv12
        if let ca = configuration.tlsCA {
            client.trustRoots = .certificates(try Self.certificates(ca, key: .tlsCA))
        }
        self.client = client
        var local = client
        guard let certificatePath = configuration.tlsCertificate, let keyPath = configuration.tlsKey else {
            server = nil
            localDaemonClient = local
            return
        }
        let chain = try Self.certificates(certificatePath, key: .tlsCertificate)
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw .invalid(
                key: NapsyncConfiguration.Key.tlsKey.fileKey, value: keyPath,
                expected: "a PEM private key file (\(error))")
        }
        var server = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        server.minimumTLSVersion = .tlsv12
        self.server = server
        local.additionalTrustRoots = [.certificates(chain)]
        local.certificateVerification = .noHostnameVerification
        localDaemonClient = local
    }

    private static func certificates(_ path: String, key: NapsyncConfiguration.Key) throws(ConfigurationError)
        -> [NIOSSLCertificate]
    {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw .invalid(key: key.fileKey, value: path, expected: "a file of PEM certificates (\(error))")
        }
        guard !certificates.isEmpty else {
            throw .invalid(key: key.fileKey, value: path, expected: "a file of PEM certificates (it holds none)")
        }
        return certificates
    }
}
