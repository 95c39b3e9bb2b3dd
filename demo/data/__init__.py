"""The demo region's data and builders: streets, names and the service catalogue as data
files; pure builders of the district, people and care plans (`region.build_region`); and the
few database helpers `demo.load` uses to store, zone, summarise and wipe it."""
