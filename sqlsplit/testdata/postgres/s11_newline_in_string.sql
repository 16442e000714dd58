-- exec
CREATE TABLE t (v text);
INSERT INTO t VALUES ('a;
b');
SELECT v FROM t;
