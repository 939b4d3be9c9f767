// Prints the OWL 2 DL profile violations of an ontology file, one per line, then "DONE <n>".
// Run with the OWL API that ships inside owlready2's HermiT.jar:
//   java -cp .../owlready2/hermit/HermiT.jar DlProfile.java FILE.nt
// (Java's single-file source launcher: needs a JDK, not only a JRE.)
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class DlProfile {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
        OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
        for (OWLProfileViolation violation : report.getViolations()) {
            System.out.println(violation.getClass().getSimpleName() + "\t"
                + violation.toString().replace("\n", " "));
        }
        System.out.println("DONE " + report.getViolations().size());
    }
}
