SELECT E'it\';
