import java.io.FileInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Creates ALLOW ACLs through Kafka's Admin API (the broker's jars hold no kafka-acls tool).
 * Run as a single source file: java -cp <jars>/* CreateAcls.java <client.properties> <acl>...
 * where each acl is principal,resourceType,patternType,operation,name, e.g.
 * User:deletion-producer,TOPIC,LITERAL,WRITE,records_to_be_deleted.
 */
public class CreateAcls {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    try (FileInputStream in = new FileInputStream(args[0])) {
      props.load(in);
    }
    List<AclBinding> bindings = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String[] f = args[i].split(",", 5);
      if (f.length != 5) throw new IllegalArgumentException("not principal,type,pattern,operation,name: " + args[i]);
      bindings.add(
          new AclBinding(
              new ResourcePattern(ResourceType.valueOf(f[1]), f[4], PatternType.valueOf(f[2])),
              new AccessControlEntry(f[0], "*", AclOperation.valueOf(f[3]), AclPermissionType.ALLOW)));
    }
    try (Admin admin = Admin.create(props)) {
      admin.createAcls(bindings).all().get();
    }
    System.out.println("CreateAcls: created " + bindings.size() + " ACLs");
  }
}
