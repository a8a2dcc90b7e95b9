# model fuzz7005, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = torch.softmax(torch.softmax(torch.flatten(torch.relu(torch.log((torch.sigmoid(torch.log(((x * x) + torch.tensor(1)))) + torch.tensor(0.5)))), 1), -1), -1)
    v2 = torch.flatten(x, 1)
    v3 = (-x)
    v4 = torch.flatten((v3 / torch.exp(torch.tanh(v3))), 1)
    def net1(h):
        h = F.conv2d(h, t["net1.0.weight"], t["net1.0.bias"], 1, 0, 1, 1)
        h = F.conv2d(h, t["net1.1.weight"], t["net1.1.bias"], 2, 1, 1, 1)
        h = F.batch_norm(h, None, None, t["net1.2.weight"], t["net1.2.bias"], True, 0.1, 0.1)
        h = torch.tanh(h)
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.7.weight"], t["net1.7.bias"])
        h = F.linear(h, t["net1.8.weight"], t["net1.8.bias"])
        h = torch.relu(h)
        return h
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.tanh(h)
        return h
    v5 = net2(net1(torch.softmax(x, -1)))
    v6 = torch.softmax(torch.relu(F.linear((v5 / ((v5 * v5) + torch.tensor(1))), t["v6.weight"], t["v6.bias"])), -1)
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net3.2.weight"], t["net3.2.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net3.4.weight"], t["net3.4.bias"])
        h = torch.tanh(h)
        return h
    v7 = torch.sum(net3(torch.relu(F.linear(v1, t["v7.weight"], t["v7.bias"]))))
    v8 = torch.flatten(x, 1)
    v9 = F.linear(torch.softmax(((v8 / (torch.sigmoid(v7) + torch.tensor(0.5))) / ((v7 * v7) + torch.tensor(1))), -1), t["v9.weight"], t["v9.bias"])
    p1 = t["p1"]
    logits = torch.matmul(v9, p1)
    return F.cross_entropy(logits, y) + (torch.tensor(0.01) * torch.mean((p1 * p1))) + (torch.tensor(0.01) * torch.sum(torch.tanh(v2)))
