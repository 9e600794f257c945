package vn.archive.solr;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * A throwaway SolrCloud cluster for the tests: one embedded ZooKeeper and N Solr nodes (Jetty),
 * all in this JVM, all on 127.0.0.1 on free ports.
 *
 * <p>Usage: {@code java -cp ... vn.archive.solr.SolrCloudLauncher [NODES [FOLDER]]} (3 nodes, a
 * new temporary folder by default). The folder holds ZooKeeper's and the nodes' data and is
 * deleted on exit. Once every node has joined, one line goes to stdout:
 *
 * <pre>SOLR_URLS=http://127.0.0.1:p1/solr,http://127.0.0.1:p2/solr,... ZK_HOST=127.0.0.1:pz/solr</pre>
 *
 * Then commands are read from stdin, one a line, each answered with one line on stdout:
 *
 * <ul>
 *   <li>{@code stop N} stops node N (1-based, in the order of SOLR_URLS): {@code STOPPED N URL}
 *   <li>{@code start N} starts it again on the same port and waits till it is live: {@code STARTED N URL}
 *   <li>{@code status}: {@code STATUS 1=up 2=down 3=up}
 *   <li>{@code quit}, or stdin closing (the parent died), stops everything and exits.
 * </ul>
 *
 * A command that fails is answered {@code ERROR message}. Logs (warnings and up) go to stderr.
 *
 * <p>Only MiniSolrCloudCluster's plain builder is used: nothing that needs the test framework's
 * randomized context (no configure(), no chaos, trace-id injection disabled).
 */
public final class SolrCloudLauncher {

  private SolrCloudLauncher() {}

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    Path folder = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("archive-solr-cluster-");

    MiniSolrCloudCluster cluster =
        new MiniSolrCloudCluster.Builder(count, folder)
            .withTraceIdGenerationDisabled()
            .withJettyConfig(jetty -> jetty.setPort(0).stopAtShutdown(false))
            .build();
    // Fixed numbering for the commands: the cluster's own list drops a node while it is stopped.
    List<JettySolrRunner> nodes = new ArrayList<>(cluster.getJettySolrRunners());

    AtomicBoolean stopped = new AtomicBoolean();
    Runnable shutdown =
        () -> {
          if (stopped.compareAndSet(false, true)) {
            try {
              cluster.shutdown();
            } catch (Exception e) {
              System.err.println("Error stopping the cluster: " + e);
            }
            deleteQuietly(folder);
          }
        };
    // SIGTERM or Ctrl-C: stop the nodes and ZooKeeper cleanly too.
    Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "cluster-shutdown"));

    String urls = nodes.stream().map(n -> n.getBaseUrl().toString()).collect(Collectors.joining(","));
    reply("SOLR_URLS=" + urls + " ZK_HOST=" + cluster.getZkServer().getZkAddress());

    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] words = line.trim().split("\\s+");
      if (words[0].isEmpty()) {
        continue;
      }
      if (words[0].equals("quit")) {
        break;
      }
      try {
        reply(command(cluster, nodes, words));
      } catch (Exception e) {
        reply("ERROR " + String.valueOf(e).replace('\n', ' '));
      }
    }
    shutdown.run();
    reply("BYE");
    System.exit(0); // Solr leaves non-daemon threads behind
  }

  private static String command(MiniSolrCloudCluster cluster, List<JettySolrRunner> nodes, String[] words)
      throws Exception {
    switch (words[0]) {
      case "status":
        StringBuilder status = new StringBuilder("STATUS");
        for (int i = 0; i < nodes.size(); i++) {
          status.append(' ').append(i + 1).append(nodes.get(i).isRunning() ? "=up" : "=down");
        }
        return status.toString();
      case "stop":
      case "start":
        if (words.length != 2) {
          return "ERROR usage: " + words[0] + " N";
        }
        int number = Integer.parseInt(words[1]);
        if (number < 1 || number > nodes.size()) {
          return "ERROR no node " + number + " (1 to " + nodes.size() + ")";
        }
        JettySolrRunner node = nodes.get(number - 1);
        if (words[0].equals("stop")) {
          if (node.isRunning()) {
            cluster.stopJettySolrRunner(node);
            cluster.waitForJettyToStop(node);
          }
          return "STOPPED " + number + " " + node.getBaseUrl();
        }
        if (!node.isRunning()) {
          cluster.startJettySolrRunner(node, true); // the same port: its address stays valid
          cluster.waitForNode(node, 60);
        }
        return "STARTED " + number + " " + node.getBaseUrl();
      default:
        return "ERROR unknown command " + words[0] + " (stop N, start N, status, quit)";
    }
  }

  private static void deleteQuietly(Path folder) {
    try (Stream<Path> paths = Files.walk(folder)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      System.err.println("Could not delete " + folder + ": " + e);
    }
  }

  private static void reply(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
